"""Set-up shared by the live benchmarks (fanout.py, idle_sockets.py).

Starts a private Redis, Daphne or the plain `websockets` server, and listener
processes, and stops every one of them on the way out, failure and Ctrl-C
included. A listener process holds many WebSocket clients (asyncio and the
`websockets` library) and is driven by JSON lines on its standard input:

    .venv/bin/python bench/live_common.py listen --url ws://... --origin http://...

    {"cmd": "open", "n": 500}     open 500 more sockets; answers when all are open
    {"cmd": "status"}             frames counted so far
    {"cmd": "dump", "out": path}  write every (key, seq, receipt time) per socket

With --ping S each socket sends the browser's keep-alive ({"type":"ping"})
every S seconds, the first at a random moment within S, as open pages do.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

# Events of the platform and the baselines' posts, told apart from the rest
# (hello, viewers) by the start of the frame: only these are parsed.
COUNTED = re.compile(r'\{"type": ?"(?:comment\.created|post)"')


class Fleet:
    """Every process a benchmark starts; all stopped on exit, whatever happened."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.redis = None
        self.tmp = Path(tempfile.mkdtemp(prefix="consult-live-"))

    def __enter__(self) -> Fleet:
        # Ctrl-C and SIGTERM run the clean-up below, even when a library on
        # the way swallowed the KeyboardInterrupt (see interrupted()).
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        for process in reversed(self.processes):
            stop_process(process)
        self.processes.clear()
        if self.redis is not None:
            self.redis.stop()
        if kind is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"server logs kept in {self.tmp}", file=sys.stderr)

    def start_redis(self):
        from consult.infra.redis_server import PrivateRedis

        self.redis = PrivateRedis(workdir=self.tmp / "redis")
        return self.redis.start()

    def popen(self, command: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(command, **kwargs)  # noqa: S603
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        stop_process(process)
        if process in self.processes:
            self.processes.remove(process)


_INTERRUPTED = []


def _interrupt(signum, frame) -> None:
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def interrupted() -> None:
    """Raise KeyboardInterrupt if a signal came, even one swallowed since."""
    if _INTERRUPTED:
        raise KeyboardInterrupt


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream:
            with contextlib.suppress(OSError):
                stream.close()


def free_port() -> int:
    from consult.infra.redis_server import free_port as port

    return port()


# --- Servers ------------------------------------------------------------------


def server_env(*, redis_url: str, layer: str = "core") -> dict[str, str]:
    """Production's settings as Daphne would have them, on this benchmark's data."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DJANGO_SETTINGS_MODULE": "live_settings",
        "BENCH_CHANNEL_LAYER": layer,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
    }


class Server:
    """One server process on a loopback port."""

    def __init__(self, fleet: Fleet, name: str, command: list[str], env: dict, port: int) -> None:
        self.fleet = fleet
        self.name = name
        self.port = port
        self.log_path = fleet.tmp / f"{name}-{port}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115
        self.process = fleet.popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=self._log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, *, http: bool, timeout: float = 60.0) -> Server:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if http:
                    url = f"http://127.0.0.1:{self.port}/healthz"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            return self
                else:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer in time:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.fleet.stop(self.process)
        self._log.close()


def start_platform(fleet: Fleet, *, redis_url: str, layer: str) -> Server:
    """`daphne asgi:application`, the command production runs."""
    from consult.infra.server import daphne_command

    port = free_port()
    command = daphne_command(host="127.0.0.1", port=port)
    env = server_env(redis_url=redis_url, layer=layer)
    return Server(fleet, f"platform-{layer}", command, env, port).wait_ready(http=True)


def start_tutorial(fleet: Fleet, *, redis_url: str, layer: str = "core") -> Server:
    """The Channels-tutorial consumer, with the same Daphne options."""
    from consult.infra.server import daphne_command

    port = free_port()
    app = "live_apps:tutorial_application"
    command = [*daphne_command(host="127.0.0.1", port=port)[:-1], app]
    env = server_env(redis_url=redis_url, layer=layer)
    return Server(fleet, f"tutorial-{layer}", command, env, port).wait_ready(http=False)


def start_websockets(fleet: Fleet) -> Server:
    port = free_port()
    command = [sys.executable, str(BENCH / "live_apps.py"), "websockets", "--port", str(port)]
    return Server(fleet, "websockets", command, dict(os.environ), port).wait_ready(http=False)


def layer_of(target: str) -> str:
    """The channel layer a target runs on: "pubsub" for "...-pubsub", else "core"."""
    return "pubsub" if target.endswith("-pubsub") else "core"


def serve(fleet: Fleet, target: str, *, redis_url: str, proposal_id: int):
    """Start the server a target names ("websockets", "tutorial...", "platform...");
    (the server, the URL of its sockets, the origin they send)."""
    if target == "websockets":
        server = start_websockets(fleet)
        path = "/"
    elif target.startswith("tutorial"):
        server = start_tutorial(fleet, redis_url=redis_url, layer=layer_of(target))
        path = "/ws/chat/"
    else:
        server = start_platform(fleet, redis_url=redis_url, layer=layer_of(target))
        path = f"/ws/proposals/{proposal_id}/"
    return server, f"ws://127.0.0.1:{server.port}{path}", f"http://127.0.0.1:{server.port}"


def live_django(fleet: Fleet):
    """A private Redis for the servers and for this process, and Django set up on
    the live settings (a throwaway database, or DATABASE_URL); the Redis."""
    from common import setup_django

    redis = fleet.start_redis()
    os.environ["REDIS_URL"] = redis.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "live_settings"
    setup_django()
    return redis


def parse_with_targets(parser: argparse.ArgumentParser, known: dict[str, str], default: str):
    """The command line, with a last option --targets naming some of `known`,
    comma-separated: (the arguments, the targets named, in their order)."""
    parser.add_argument(
        "--targets", default=default, help=f"Of: {', '.join(known)} (comma-separated)."
    )
    args = parser.parse_args()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(known)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    return args, targets


def print_notes(notes) -> None:
    """Under a table: each (what it is about, note) with a note, after a blank line."""
    for about, note in notes:
        if note:
            print(f"\n{about}: {note}")


def redis_flush(url: str) -> None:
    """Nothing left from the server before: no stale group members, no counts."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushall()
    client.close()


# --- Measuring processes -------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy, all cores and processes."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def rss_bytes(pid: int) -> int:
    import psutil

    return psutil.Process(pid).memory_info().rss


def wait_quiet(pid: int, *, below: float = 0.1, timeout: float = 120.0) -> float:
    """Wait until the process uses under `below` of a core for two seconds
    running (its backlog is done); the seconds waited."""
    start = time.monotonic()
    quiet = 0
    while time.monotonic() - start < timeout and quiet < 2:
        before = cpu_seconds([pid])
        time.sleep(1.0)
        quiet = quiet + 1 if cpu_seconds([pid]) - before < below else 0
    return time.monotonic() - start


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- Listener processes --------------------------------------------------------


class Listeners:
    """`processes` listener processes sharing the sockets between them."""

    def __init__(
        self,
        fleet: Fleet,
        *,
        url: str,
        origin: str,
        processes: int = 2,
        ping: float = 0.0,
        concurrency: int = 50,
    ) -> None:
        self.fleet = fleet
        command = [sys.executable, str(Path(__file__)), "listen", "--url", url, "--origin", origin]
        self.workers = [
            fleet.popen(
                [*command, "--ping", str(ping), "--concurrency", str(concurrency)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=ROOT,
            )
            for _ in range(processes)
        ]
        self._buffers = {worker.pid: b"" for worker in self.workers}

    @property
    def pids(self) -> list[int]:
        return [worker.pid for worker in self.workers]

    def open_commands(self, n: int) -> list[dict]:
        """The command to each process that opens n more sockets between them."""
        count = len(self.workers)
        return [{"cmd": "open", "n": n // count + (i < n % count)} for i in range(count)]

    def open(self, n: int, timeout: float = 600.0) -> dict:
        """Open n more sockets, spread over the processes; when all are open."""
        start = time.monotonic()
        replies = self._ask_all(self.open_commands(n), timeout)
        return {
            "open": sum(r["open"] for r in replies),
            "failed": sum(r["failed"] for r in replies),
            "errors": [e for r in replies for e in r["errors"]][:3],
            "seconds": time.monotonic() - start,
        }

    def status(self) -> dict:
        replies = self._ask_all([{"cmd": "status"}] * len(self.workers), 60.0)
        return {
            "counted": sum(r["counted"] for r in replies),
            "open": sum(r["open"] for r in replies),
        }

    def dump(self) -> list[dict]:
        """Every worker's receipts: a list of sockets, each {key: receipt time}."""
        paths = [self.fleet.tmp / f"listener-{worker.pid}.json" for worker in self.workers]
        self._ask_all([{"cmd": "dump", "out": str(path)} for path in paths], 300.0)
        out = []
        for path in paths:
            data = json.loads(path.read_text())
            path.unlink()
            out.append(data)
        return out

    def stop(self) -> None:
        for worker in self.workers:
            self.fleet.stop(worker)

    def _ask_all(self, commands: list[dict], timeout: float) -> list[dict]:
        for worker, command in zip(self.workers, commands, strict=True):
            worker.stdin.write((json.dumps(command) + "\n").encode())
            worker.stdin.flush()
        return [self.reply(worker, timeout) for worker in self.workers]

    def reply(self, worker: subprocess.Popen, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        fd = worker.stdout.fileno()
        while b"\n" not in self._buffers[worker.pid]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"listener {worker.pid} did not answer in {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError(f"listener {worker.pid} exited ({worker.poll()})")
                self._buffers[worker.pid] += chunk
        line, _, rest = self._buffers[worker.pid].partition(b"\n")
        self._buffers[worker.pid] = rest
        return json.loads(line)


def sockets_open(listeners: Listeners, n: int) -> dict:
    opened = listeners.open(n)
    if opened["failed"]:
        print(
            f"  {opened['failed']} of {n} sockets failed to open: {opened['errors']}",
            file=sys.stderr,
        )
    return opened


# --- The listener process ------------------------------------------------------


class Socket:
    __slots__ = ("keys", "seqs", "times", "websocket")

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.keys: list[int] = []
        self.seqs: list[int] = []
        self.times: list[float] = []


async def keep_alive(websocket, every: float) -> None:
    """The browser's app ping (static/js/socket.js), first at a random moment."""
    await asyncio.sleep(random.uniform(0, every))  # noqa: S311
    with contextlib.suppress(Exception):
        while True:
            await websocket.send('{"type":"ping"}')
            await asyncio.sleep(every)


async def listen(url: str, origin: str, concurrency: int, ping: float = 0.0) -> None:
    from websockets.asyncio.client import connect

    sockets: list[Socket] = []
    tasks: set[asyncio.Task] = set()
    counted = 0

    async def receive(sock: Socket) -> None:
        nonlocal counted
        now = time.time
        with contextlib.suppress(Exception):
            async for frame in sock.websocket:
                received = now()
                # Frames start with their type: parse only those counted.
                if COUNTED.match(frame):
                    data = json.loads(frame)
                    sock.keys.append(data["id"] if "id" in data else data["n"])
                    sock.seqs.append(data.get("seq", data.get("n")))
                    sock.times.append(received)
                    counted += 1

    async def open_one(gate: asyncio.Semaphore, errors: list[str]) -> bool:
        async with gate:
            try:
                websocket = await connect(
                    url,
                    origin=origin,
                    compression=None,
                    proxy=None,
                    ping_interval=None,
                    open_timeout=120,
                    close_timeout=1,
                    max_size=2**20,
                )
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}"[:200])
                return False
        sock = Socket(websocket)
        sockets.append(sock)
        tasks.add(asyncio.create_task(receive(sock)))
        if ping > 0:
            tasks.add(asyncio.create_task(keep_alive(websocket, ping)))
        return True

    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "open":
            gate = asyncio.Semaphore(concurrency)
            errors: list[str] = []
            done = await asyncio.gather(*(open_one(gate, errors) for _ in range(command["n"])))
            reply = {"open": len(sockets), "failed": done.count(False), "errors": errors[:3]}
        elif command["cmd"] == "status":
            still = sum(1 for sock in sockets if sock.websocket.close_code is None)
            reply = {"counted": counted, "open": still}
        elif command["cmd"] == "dump":
            data = {
                "sockets": [[sock.keys, sock.seqs, sock.times] for sock in sockets],
                "closed": sum(1 for sock in sockets if sock.websocket.close_code is not None),
            }
            Path(command["out"]).write_text(json.dumps(data))
            reply = {"dumped": len(sockets)}
        else:
            reply = {"error": f"unknown command {command['cmd']!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    # The server is gone or going: no closing handshakes.
    os._exit(0)


def main() -> int:
    parser = argparse.ArgumentParser(description="A listener process (see the docstring).")
    parser.add_argument("role", choices=["listen"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--concurrency", type=int, default=50, help="Handshakes at once.")
    parser.add_argument("--ping", type=float, default=0.0, help="Seconds between pings.")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    asyncio.run(listen(args.url, args.origin, args.concurrency, args.ping))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def consultation_posted_here():
    """One open consultation and a citizen, for benchmarks whose comments are
    made in their own process: `post(i)` comments through the service (the
    event reaches Daphne's readers over the layer). Returns the proposal's
    id, `post`, and the size in bytes of one comment's event."""
    from allauth.account.models import EmailAddress
    from common import ministry_consultation

    from consult.accounts.models import User
    from discussion.comments.services import comment_create
    from discussion.live.events import message
    from discussion.models import Event

    proposal = ministry_consultation(title="Busy", password="x" * 20)
    section = proposal.sections.get()
    author = User.objects.create_user("citizen@example.org", "x" * 20, display_name="Citizen")
    EmailAddress.objects.create(user=author, email=author.email, verified=True, primary=True)

    def post(i: int) -> int:
        body = f"Comment {i}: the crossing by the school needs a longer green phase."
        return comment_create(actor=author, proposal=proposal, body=body, section=section).pk

    post(-1)  # Templates compiled and connections opened before anything is timed.
    event = Event.objects.filter(proposal=proposal, type="comment.created").latest("seq")
    frame_bytes = len(json.dumps(message(event), separators=(",", ":")).encode())
    return proposal.pk, post, frame_bytes
