"""Benchmark: a Daphne restart with thousands of readers connected.

    .venv/bin/python bench/reconnect.py [--readers 5000] [--before 10] [--after 20]
    .venv/bin/python bench/reconnect.py --readers 300 --before 4 --after 8   # a quick check

Starts a private Redis and one production-mode Daphne, and opens --readers
sockets on one consultation from client processes that behave like the
browser: each reconnects with ?since=<the last event number it applied>,
pauses as static/js/socket.js does (1 s, doubling, at most 30 s, each pause
drawn between half and all of it), and treats events as static/js/site.js
does (an event ahead of the next number waits up to 3 s for the missing ones;
only then is it a gap, and the socket closes and reconnects: a "gap-close").
Comments are posted at --rate a second throughout. After --before seconds
Daphne is killed (SIGKILL) and started again on the same port.

Reports the time from the kill to every reader reconnected and to every
reader caught up (its last event at or past the last one written when the
new Daphne answered), the events lost (a number some reader never applied)
and delivered twice, and the gap-closes. Every event the readers applied is
checked against the database: it exists, under this consultation, and a
comment it names was written by the benchmark's author. Exits non-zero when
any event was lost or failed that check, or when a reader never came back.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from live_common import Fleet, Server, free_port, live_django, server_env

FIRST_PAUSE, LONGEST_PAUSE, GAP_WAIT = 1.0, 30.0, 3.0
HEAD = re.compile(r'\{"type": ?"([^"]+)", ?"(?:seq|proposal)": ?(\d+)(?:, ?"seq": ?(\d+))?')
ID = re.compile(r'"id": ?(\d+)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=2, help="Client processes.")
    parser.add_argument("--rate", type=float, default=5.0, help="Comments a second.")
    parser.add_argument("--before", type=float, default=10.0, help="Seconds before the kill.")
    parser.add_argument("--after", type=float, default=20.0, help="Seconds of posting after it.")
    args = parser.parse_args()
    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}")
    # This process broadcasts its comments on the layer Daphne listens on.
    os.environ["BENCH_CHANNEL_LAYER"] = "pubsub"
    with Fleet() as fleet:
        redis = live_django(fleet)
        from live_common import consultation_posted_here

        proposal_id, post, _size = consultation_posted_here()
        port = free_port()
        server = start(fleet, redis.url, port)
        url = f"ws://127.0.0.1:{port}/ws/proposals/{proposal_id}/"
        clients = Clients(fleet, url, f"http://127.0.0.1:{port}", args)
        result = herd(fleet, server, clients, post, redis.url, port, proposal_id, args)
        code = report(result, args)
        if code:
            raise SystemExit(code)  # the servers' logs are kept
    return code


def start(fleet: Fleet, redis_url: str, port: int, *, http: bool = True) -> Server:
    from consult.infra.server import daphne_command

    command = daphne_command(host="127.0.0.1", port=port)
    env = server_env(redis_url=redis_url, layer="pubsub")
    # Restarted under a herd, it is ready when it accepts connections: the
    # readers' own handshakes are the test.
    return Server(fleet, "platform", command, env, port).wait_ready(http=http, timeout=120)


def herd(fleet, server, clients, post, redis_url, port, proposal_id, args) -> dict:
    from discussion.live.events import last_seq

    since = last_seq(proposal_id)
    opened_at = time.time()
    clients.send({"cmd": "start", "since": since})
    clients.wait_connected(args.readers, timeout=300)
    print(f"{args.readers:,} readers open in {time.time() - opened_at:.1f} s", file=sys.stderr)
    poster = Poster(post, args.rate)
    poster.start()
    time.sleep(args.before)
    killed = time.time()
    os.kill(server.pid, signal.SIGKILL)
    server.stop()
    server = start(fleet, redis_url, port, http=False)
    ready, ready_seq = time.time(), last_seq(proposal_id)
    print(f"Daphne answered again {ready - killed:.1f} s after the kill", file=sys.stderr)
    time.sleep(args.after)
    poster.stop()
    final = last_seq(proposal_id)
    # The last events reach everyone, or a gap-close brings them.
    clients.wait_reached(final, timeout=60)
    data = clients.finish()
    server.stop()
    return {
        "since": since,
        "final": final,
        "killed": killed,
        "ready": ready,
        "ready_seq": ready_seq,
        "clients": data,
        "posted": poster.posted,
        "proposal_id": proposal_id,
    }


class Poster(threading.Thread):
    """Comments at a steady rate, through the service, as a signed-in author."""

    def __init__(self, post, rate: float) -> None:
        super().__init__(daemon=True)
        self.post, self.rate = post, rate
        self.posted: list[int] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import connection

        start, n = time.monotonic(), 0
        while not self.stopping.is_set():
            self.posted.append(self.post(n))
            n += 1
            self.stopping.wait(max(0.0, start + n / self.rate - time.monotonic()))
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def report(result: dict, args) -> int:
    from discussion.models import Comment, Event

    clients = [c for worker in result["clients"] for c in worker]
    killed, ready_seq, final = result["killed"], result["ready_seq"], result["final"]
    expected = set(range(result["since"] + 1, final + 1))
    lost = duplicated = redundant = gap_closes = never = 0
    missing: collections.Counter = collections.Counter()
    back, caught = [], []
    seen: dict[int, int | None] = {}
    for client in clients:
        applied = [seq for seq, _t, _id in client["applied"]]
        lost += len(expected - set(applied))
        missing.update(expected - set(applied))
        duplicated += len(applied) - len(set(applied))
        redundant += client["redundant"]
        gap_closes += client["gap_closes"]
        hellos = [t for t in client["hellos"] if t > killed]
        reached = [t for seq, t, _id in client["applied"] if seq >= ready_seq and t > killed]
        if not hellos or not reached:
            never += 1
            continue
        back.append(hellos[0] - killed)
        caught.append(max(reached[0], hellos[0]) - killed)
        for seq, _t, pk in client["applied"]:
            seen[seq] = pk
    stored = dict(
        Event.objects.filter(proposal_id=result["proposal_id"], seq__in=list(seen)).values_list(
            "seq", "payload"
        )
    )
    posted = set(result["posted"])
    authors = dict(
        Comment.objects.filter(pk__in=[pk for pk in seen.values() if pk]).values_list(
            "pk", "author__email"
        )
    )
    wrong = [
        seq
        for seq, pk in seen.items()
        if seq not in stored
        or (pk is not None and (stored[seq].get("id") != pk or pk not in posted))
        or (pk is not None and authors.get(pk) != "citizen@example.org")
    ]
    print(
        f"\nreconnect herd: {len(clients):,} readers on one Daphne process, "
        f"{args.rate:g} comments/s, SIGKILL after {args.before:g} s; "
        f"Daphne answered again after {result['ready'] - killed:.1f} s"
    )
    down = result["ready"] - killed
    print("| readers | all reconnected s | p50 s | all caught up s | p50 s "
          "| caught up after Daphne answered s | events | lost | delivered twice "
          "| gap-closes | never back |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(clients):,} | {max(back, default=float('nan')):.1f} | {median(back):.1f} | "
        f"{max(caught, default=float('nan')):.1f} | {median(caught):.1f} | "
        f"{max(caught, default=float('nan')) - down:.1f} | {len(expected)} | "
        f"{lost} | {redundant} | {gap_closes} | {never} |"
    )
    print(
        f"\ncheck: {len(seen)} event numbers applied by the readers, each looked up in the "
        f"database: {len(seen) - len(wrong)} found under this consultation with the comment "
        f"the benchmark posted, by its author; {len(wrong)} not"
    )
    behind = [
        (c["last"], c["state"], c["codes"][-4:], [round(t - killed, 1) for t in c["hellos"]],
         [(seq, round(t - killed, 1)) for seq, t, _pk in c["applied"][-3:]])
        for c in clients if c["last"] < final
    ]  # fmt: skip
    if behind:
        print(f"{len(behind)} readers behind at the end, e.g. {behind[:5]}", file=sys.stderr)
        fine = sorted(round(c["hellos"][-1] - killed, 1) for c in clients if c["last"] >= final)
        stuck = sorted(round(c["hellos"][-1] - killed, 1) for c in clients if c["last"] < final)
        print(f"hellos of readers up to date: {fine}\nof readers behind: {stuck}", file=sys.stderr)
    failed = lost or duplicated or wrong or never
    if failed:
        print(
            f"FAILED: {lost} lost, {duplicated} applied twice, {len(wrong)} not in the database "
            f"as counted, {never} readers never back; the numbers most often missing "
            f"(of {result['since'] + 1}-{final}): {missing.most_common(8)}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def jittered(pause: float) -> float:
    """As socket.js: between half and all of the pause (a spread, not a secret)."""
    return pause * (0.5 + random.random() * 0.5)  # noqa: S311


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else float("nan")


# --- The client processes -------------------------------------------------------


class Clients:
    """--processes client processes holding the readers between them."""

    def __init__(self, fleet: Fleet, url: str, origin: str, args) -> None:
        shares = [args.readers // args.processes] * args.processes
        shares[0] += args.readers - sum(shares)
        self.workers = [
            fleet.popen(
                [sys.executable, __file__, "client", "--url", url, "--origin", origin,
                 "--n", str(n)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            for n in shares
        ]  # fmt: skip

    def send(self, command: dict) -> list[dict]:
        for worker in self.workers:
            worker.stdin.write(json.dumps(command) + "\n")
            worker.stdin.flush()
        return [json.loads(worker.stdout.readline()) for worker in self.workers]

    def wait_connected(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while sum(r["connected"] for r in self.send({"cmd": "status"})) < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"FAILED: {n} readers did not connect in {timeout:.0f} s")
            time.sleep(0.5)

    def wait_reached(self, seq: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(r["behind"] == 0 for r in self.send({"cmd": "status", "seq": seq})):
                return
            time.sleep(0.5)

    def finish(self) -> list[list[dict]]:
        return [r["clients"] for r in self.send({"cmd": "finish"})]


class Reader:
    """One browser tab: the rules of socket.js and site.js."""

    def __init__(self, url: str, origin: str) -> None:
        self.url, self.origin = url, origin
        self.last: int | None = None
        self.applied: list[tuple[int, float, int | None]] = []
        self.hellos: list[float] = []
        self.redundant = self.gap_closes = 0
        self.connected = False
        self.stopping = False
        self.state, self.codes = "new", []

    async def run(self, since: int) -> None:
        from websockets.asyncio.client import connect

        self.last = since
        pause = FIRST_PAUSE
        while not self.stopping:
            self.state = "connecting"
            try:
                socket = await connect(
                    f"{self.url}?since={self.last}", origin=self.origin, compression=None,
                    proxy=None, ping_interval=None, open_timeout=90, close_timeout=1,
                    max_size=2**20,
                )  # fmt: skip
            except Exception:
                await asyncio.sleep(jittered(pause))
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            pause = FIRST_PAUSE
            self.state = "open"
            code = await self.read(socket)
            self.codes.append(code)
            self.state = "pausing"
            self.connected = False
            if code is not None and 4000 <= code < 5000:
                return
            await asyncio.sleep(jittered(pause))
            pause = min(pause * 2, LONGEST_PAUSE)

    async def read(self, socket) -> int | None:
        from websockets.exceptions import ConnectionClosed

        early: dict[int, tuple[int, int | None]] = {}
        gap_since = None
        try:
            while not self.stopping:
                timeout = None if gap_since is None else gap_since + GAP_WAIT - time.monotonic()
                if timeout is not None and timeout <= 0:
                    self.gap_closes += 1
                    await socket.close()
                    return None
                try:
                    frame = await asyncio.wait_for(socket.recv(), timeout)
                except TimeoutError:
                    continue
                head = HEAD.match(frame)
                if head is None:
                    continue
                kind, first, _second = head.groups()
                if kind == "hello":
                    self.hellos.append(time.time())
                    self.connected = True
                    continue
                seq = int(first)
                found = ID.search(frame, 0, 200) if kind == "comment.created" else None
                pk = int(found.group(1)) if found else None
                if seq <= self.last:
                    self.redundant += 1
                    continue
                if seq > self.last + 1:
                    early[seq] = (seq, pk)
                    gap_since = gap_since or time.monotonic()
                    continue
                self.apply(seq, pk)
                while self.last + 1 in early:
                    self.apply(*early.pop(self.last + 1))
                early = {s: e for s, e in early.items() if s > self.last}
                if not early:
                    gap_since = None
        except ConnectionClosed:
            pass  # the server went away: reconnect as the browser does
        return socket.close_code

    def apply(self, seq: int, pk: int | None) -> None:
        self.last = seq
        self.applied.append((seq, time.time(), pk))


async def client(url: str, origin: str, n: int) -> None:
    readers = [Reader(url, origin) for _ in range(n)]
    tasks = []
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "start":
            tasks = [asyncio.create_task(r.run(command["since"])) for r in readers]
            reply = {"started": n}
        elif command["cmd"] == "status":
            seq = command.get("seq")
            reply = {
                "connected": sum(r.connected for r in readers),
                "behind": 0 if seq is None else sum((r.last or 0) < seq for r in readers),
            }
        else:
            for reader in readers:
                reader.stopping = True
            for task in tasks:
                task.cancel()
            reply = {
                "clients": [
                    {
                        "applied": r.applied,
                        "hellos": r.hellos,
                        "redundant": r.redundant,
                        "gap_closes": r.gap_closes,
                        "state": r.state,
                        "codes": r.codes,
                        "last": r.last,
                    }
                    for r in readers
                ]
            }
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if command["cmd"] == "finish":
            break
    os._exit(0)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        options = argparse.ArgumentParser()
        options.add_argument("role")
        options.add_argument("--url", required=True)
        options.add_argument("--origin", required=True)
        options.add_argument("--n", type=int, required=True)
        parsed = options.parse_args()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        asyncio.run(client(parsed.url, parsed.origin, parsed.n))
    else:
        raise SystemExit(main())
