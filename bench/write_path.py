"""Benchmark: the write path, comments per second through the form and the socket.

    .venv/bin/python bench/write_path.py [--clients 8] [--seconds 15] [--users 50]
    .venv/bin/python bench/write_path.py --postgres   # a throwaway server, pooled and not
    DATABASE_URL=postgres://... .venv/bin/python bench/write_path.py --pool both

A throwaway database (SQLite unless DATABASE_URL names an empty one), a
private Redis and a real Daphne serving bench/write_settings.py, which lifts
the abuse limits for the load. Measures, each beside its ceiling in the same
run: K clients posting thread roots through the form for S seconds (beside
GET /healthz from the same K clients, and the same number of bare rows
inserted through the ORM); K sockets posting over the WebSocket, each
awaiting its "ok" before the next (beside ping -> pong on the same sockets);
and 50 replies to one comment sent at the same instant, over 50 sockets and
then through 50 forms, checked in the database afterwards. Every post
carries a key (a UUID per post, as the page sends); the sustained posting
runs are repeated without one, to show what the key costs; and a check sends
posts again with their keys (on a new socket, then through the form) and
requires each stored once, every answer naming the same comment.

--settings names another settings module for the server and the set-up (one
that imports write_settings and changes a setting, to try a fix);
--keep-frame-limit serves asgi:application with its per-socket frame bound.
On PostgreSQL, --pool off|on|both measures Daphne without and with the psycopg
connection pool (DATABASE_POOL), both in the same run by default, on the same
database (each round's comments carry a marker of their own).

Every acknowledged comment is looked up in the database afterwards: stored
once, by the person who sent it, under the parent it was sent to; and no
comment is stored that was not acknowledged. Exits 1, with FAILED on stderr,
when anything failed. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, ministry_consultation, setup_django, signed_in_cookie

BENCH = Path(__file__).resolve().parent
REPLIES = 50
HOST = "127.0.0.1"
BODY = "Keep the school street **closed to through traffic** at drop-off time ({})."


@dataclass
class Result:
    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # successes only, seconds
    errors: Counter = field(default_factory=Counter)
    events: str = ""  # what the listening sockets received, for the posting runs
    last_event: int = 0  # the last event number any of them received
    # (marker key, author id, parent id) of each acknowledged comment.
    acked: list[tuple[str, int, int | None]] = field(default_factory=list)

    def add(self, ok: bool, latency: float, error: str = "", comment=None) -> None:
        if ok:
            self.latencies.append(latency)
            if comment is not None:
                self.acked.append(comment)
        else:
            self.errors[error] += 1

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    def row(self) -> str:
        done = len(self.latencies)
        rate = done / self.seconds if self.seconds else float("nan")
        errors = ", ".join(f"{n} × {what}" for what, n in self.errors.most_common()) or "0"
        return (
            f"| {self.name} | {self.clients} | {done:,} | {rate:,.1f} | "
            f"{self.percentile(0.5):.1f} | {self.percentile(0.99):.1f} | {errors} |"
        )


@dataclass
class Person:
    user_id: int
    cookie: str
    csrf: str


@dataclass
class World:
    proposal_id: int
    slug: str
    section_id: int
    root_id: int
    parent_id: int
    people: list[Person]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (K)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each run (S)")
    parser.add_argument("--users", type=int, help=f"citizens (default max({REPLIES}, K))")
    parser.add_argument(
        "--settings",
        default="write_settings",
        help="settings module for the server and the set-up (to try a change of settings)",
    )
    parser.add_argument(
        "--keep-frame-limit",
        action="store_true",
        help="serve asgi:application as it is, with its per-socket bound on frames",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a throwaway PostgreSQL server (from /usr/lib/postgresql) instead of SQLite",
    )
    parser.add_argument(
        "--pool",
        choices=("off", "on", "both"),
        default="both",
        help="on PostgreSQL: Daphne without, with, or without then with the connection pool",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the rounds this many times, alternating (off, on, off, on): the machine's "
        "other load then weighs on both alike",
    )
    args = parser.parse_args()
    users = max(args.users or 0, REPLIES, args.clients)
    # Also for SIGINT: asyncio.run would otherwise take Ctrl-C as a request to
    # cancel a task, which a database call in a worker thread does not notice.
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)
    from consult.infra.redis_server import PrivateRedis

    tmp = tempfile.TemporaryDirectory(prefix="consult-write-")
    redis = database = None
    try:
        redis = PrivateRedis(workdir=Path(tmp.name) / "redis").start()
        if args.postgres:
            from consult.testing.postgres import ThrowawayPostgres

            # Ordinary durability (fsync on), as production has it.
            database = ThrowawayPostgres(durable=True).__enter__()
            os.environ["DATABASE_URL"] = database.url
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
        # The replies notify the parent's author by email: not onto this output.
        os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
        os.environ.update(
            REDIS_URL=redis.url,
            DJANGO_SETTINGS_MODULE=args.settings,
            DEBUG="false",
            HTTPS="false",
            TASK_BACKEND="immediate",
            ALLOWED_HOSTS=f"{HOST},localhost",
        )
        os.environ.pop("DATABASE_POOL", None)  # the bench's own process: no pool
        setup_django()
        world = build(users)
        return run_rounds(args, world)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if redis:
            redis.stop()
        if database:
            database.__exit__(None, None, None)
        tmp.cleanup()


# Each round's comments start with a marker of their own, so that the checks
# of one round do not count another's.
ROUND_MARKERS = ("", "Q", "K", "Z", "X", "Y", "V", "U")


def run_rounds(args, world: World) -> int:
    from django.db import connection

    app = "asgi:application" if args.keep_frame_limit else "write_settings:application"
    pools = ["off"]
    if connection.vendor == "postgresql":
        pools = ["off", "on"] if args.pool == "both" else [args.pool]
    pools = (pools * args.repeat)[: len(ROUND_MARKERS)]
    print(f"# write path: {machine()}")
    print(f"database: {connection.vendor} {database_version()}; load before: {load()}")
    failures = 0
    for pool, marker in zip(pools, ROUND_MARKERS, strict=False):
        daphne = Daphne(app, pool=pool == "on")
        try:
            daphne.start()
            failures += run(args, world, daphne, marker)
        finally:
            daphne.stop()
    if failures:
        print(f"FAILED: {failures} round(s) found problems (the PROBLEM lines above)",
              file=sys.stderr)  # fmt: skip
    return 1 if failures else 0


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def run(args, world: World, daphne: Daphne, round_marker: str = "") -> int:
    k, seconds = args.clients, args.seconds
    pooled = "with the connection pool" if daphne.pool else "without a connection pool"
    print(f"\n# Round: Daphne {pooled}; load before: {load()}")
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']}")
    print(f"Daphne serving {daphne.app}; log: {daphne.log_path}")
    people = world.people[:k]
    print(f"\n## Sustained, {k} clients, {seconds:g} s each\n")
    print("| path | clients | done | per s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    problems = []
    checks = []

    def show(result: Result, marker: str | None = None) -> Result:
        print(result.row(), flush=True)
        logged = daphne.new_errors()
        if logged:
            problems.append(f"{result.name}: {logged} error lines in the Daphne log")
        if marker is not None:
            verdict = acknowledged_check(marker, result.acked)
            checks.append(f"{result.name}: {len(result.latencies)} acknowledged; {verdict}")
            if not verdict.startswith("ok"):
                problems.append(f"{result.name}: {verdict}")
        return result

    show(http_load("GET /healthz", daphne.port, people, seconds, healthz_request))
    form = show(
        http_load(
            "form: POST comment", daphne.port, people, seconds,
            form_request(world, f"{round_marker}F"),
        ),
        f"{round_marker}F",
    )  # fmt: skip
    token = fill_token()
    pings = ws_load("WebSocket: ping → pong", daphne.port, world, people, seconds, token)
    show(asyncio.run(pings))
    posts = ws_load(
        "WebSocket: comment.post → ok", daphne.port, world, people, seconds, token,
        marker=f"{round_marker}W",
    )  # fmt: skip
    ws = show(asyncio.run(posts), f"{round_marker}W")
    heard = listeners(ws, world)
    checks.append(f"WebSocket listeners: {heard}")
    if not heard.startswith("all "):
        problems.append(f"WebSocket listeners: {heard}")
    # The same two posting runs without a key: what the key costs, same run.
    unkeyed = form_request(world, f"{round_marker}G", keyed=False)
    show(
        http_load("form: POST comment, no key", daphne.port, people, seconds, unkeyed),
        f"{round_marker}G",
    )
    bare = ws_load(
        "WebSocket: comment.post, no key", daphne.port, world, people, seconds, token,
        marker=f"{round_marker}N",
    )  # fmt: skip
    show(asyncio.run(bare), f"{round_marker}N")
    retried = asyncio.run(retry_check(daphne.port, world, token, tag=round_marker))
    checks.append(f"posts sent again with their keys: {retried}")
    if not retried.startswith("ok"):
        problems.append(f"posts sent again with their keys: {retried}")
    rows = max(len(form.latencies), len(ws.latencies), 200)
    show(bare_inserts(world, rows))
    show(service_inserts(world, rows))

    print(f"\n## {REPLIES} replies to one comment at the same instant\n")
    print("| path | replies | ok | errors | all done ms | p50 ms | p99 ms | database |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, marker in (("WebSocket", f"{round_marker}RW"), ("form", f"{round_marker}RF")):
        if name == "WebSocket":
            send = lambda m=marker: asyncio.run(ws_replies(daphne.port, world, m, token))  # noqa: E731
        else:
            send = lambda m=marker: form_replies(daphne.port, world, m)  # noqa: E731
        before = reply_state(world)
        result, wall = send()
        extra = listeners(result, world) if name == "WebSocket" else ""
        verdict = verify_replies(world, before)
        acked = acknowledged_check(marker, result.acked)
        if not acked.startswith("ok") and verdict == "ok":
            verdict = acked
        logged = daphne.new_errors()
        errors = sum(result.errors.values())
        print(
            f"| {name} | {REPLIES} | {len(result.latencies)} | {errors} | {wall * 1000:.0f} | "
            f"{result.percentile(0.5):.1f} | {result.percentile(0.99):.1f} | {verdict} |",
            flush=True,
        )
        if extra:
            checks.append(f"{name} replies: {extra}")
        if errors or verdict != "ok" or logged or (extra and not extra.startswith("all ")):
            problems.append(
                f"{name} replies: {dict(result.errors)}; {verdict}; {logged} error lines in log"
            )
    sequence = event_log_check(world)
    checks.append(f"event log: {sequence}")
    if not sequence.startswith("ok"):
        problems.append(f"event log: {sequence}")
    print(f"\nload after: {load()}")
    for line in checks:
        print(f"- check: {line}")
    for line in problems:
        print(f"- PROBLEM: {line}")
    if problems:
        print(f"See {daphne.log_path}")
    return 1 if problems else 0


# --- The world --------------------------------------------------------------


def build(users: int) -> World:
    from allauth.account.models import EmailAddress

    from consult.accounts.models import User
    from discussion.comments import services

    proposal = ministry_consultation(title="School streets", password=None)
    section = proposal.sections.get()
    # Passwords unusable: sessions are made here, nobody signs in.
    people = [
        User.objects.create_user(f"citizen{i}@example.org", None, display_name=f"Citizen {i}")
        for i in range(users + 2)
    ]
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in people
    )
    root_author, parent_author, *people = people
    root = services.comment_create(
        actor=root_author, proposal=proposal, body="The thread.", section=section
    )
    parent = services.comment_create(
        actor=parent_author, proposal=proposal, body="A reply to reply to.", parent=root
    )
    # The site's own session engine (bench/common.py): a session it cannot
    # read is a visitor not signed in, whose every post goes to the sign-in page.
    signed_in = [Person(user.pk, *signed_in_cookie(user)) for user in people]
    return World(proposal.pk, proposal.slug, section.pk, root.pk, parent.pk, signed_in)


def fill_token() -> str:
    from discussion.comments import limits

    # Drawn a minute ago, as if someone had been writing.
    return limits.fill_token(time.time() - 60)


# --- The server -------------------------------------------------------------


class Daphne:
    """Daphne in a subprocess, as tests/conftest.py starts it, on the bench settings."""

    def __init__(self, app: str, *, pool: bool = False) -> None:
        from consult.infra.redis_server import free_port

        self.app = app
        self.pool = pool
        self.port = free_port()
        self.log_path = ROOT / "var" / f"bench-write-path-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self._seen = 0

    def start(self, timeout: float = 60) -> None:
        from consult.infra.server import daphne_command

        paths = [str(BENCH), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        env["DATABASE_POOL"] = "true" if self.pool else "false"
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        command = [*daphne_command(host=HOST, port=self.port)[:-1], self.app]
        self.log_path.parent.mkdir(exist_ok=True)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        url = f"http://{HOST}:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        self.new_errors()
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer {url}; see {self.log_path}")

    def new_errors(self) -> int:
        """Error lines and tracebacks logged since the last call."""
        text = self.log_path.read_text(errors="replace")
        fresh, self._seen = text[self._seen :], len(text)
        return sum(
            1 for line in fresh.splitlines() if " ERROR " in line or line.startswith("Traceback")
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# --- HTTP -------------------------------------------------------------------


def healthz_request(person: Person, n: int):
    return "GET", "/healthz", None, {}, 200


def form_request(world: World, marker: str, parent: int | None = None, keyed: bool = True):
    token = fill_token()

    def request(person: Person, n: int, key: str | None = None):
        fields = {
            "key": key or (str(uuid.uuid4()) if keyed else ""),
            "csrfmiddlewaretoken": person.csrf,
            "body": f"{marker}{person.user_id}.{n} " + BODY.format(n),
            "section": "" if parent else world.section_id,
            "parent": parent or "",
            "started": token,
            "website": "",
        }
        headers = {
            "Cookie": person.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urllib.parse.urlencode(fields)
        return "POST", f"/consultations/{world.slug}/comments/", body, headers, 302

    return request


def http_send(conn: http.client.HTTPConnection, request) -> tuple[bool, str]:
    method, path, body, headers, expected = request
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status == expected == 302 and "/accounts/login" in (
        response.getheader("Location") or ""
    ):
        # Sent to sign in: nothing was posted.
        return False, "redirected to sign-in"
    if response.status == expected:
        return True, ""
    return False, f"HTTP {response.status}"


def timed_send(conn: http.client.HTTPConnection, request, result: Result, lock) -> bool:
    """Send one request and count its answer in `result`, timed; False when the
    connection itself failed (the caller opens another)."""
    start = time.perf_counter()
    try:
        ok, error = http_send(conn, request)
        connected = True
    except (OSError, http.client.HTTPException) as exc:
        ok, error, connected = False, type(exc).__name__, False
    method, _path, body, _headers, _expected = request
    comment = None
    if method == "POST" and body:
        comment = comment_of({k: v[0] for k, v in urllib.parse.parse_qs(body).items()})
    with lock:
        result.add(ok, time.perf_counter() - start, error, comment)
    return connected


def http_load(name, port, people, seconds, make_request) -> Result:
    """One thread and one kept-alive connection per person, for `seconds`."""
    result = Result(name, len(people))
    lock = threading.Lock()
    ready = threading.Barrier(len(people) + 1)
    deadline = [0.0]

    def client(person: Person) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        ready.wait()
        n = 0
        while time.monotonic() < deadline[0]:
            n += 1
            if not timed_send(conn, make_request(person, n), result, lock):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    began = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def form_replies(port: int, world: World, marker: str):
    """50 people press "reply" on one comment at the same instant."""
    people = world.people[:REPLIES]
    make = form_request(world, marker, parent=world.parent_id)
    result = Result("form", REPLIES)
    lock = threading.Lock()
    ready = threading.Barrier(REPLIES + 1)

    def client(person: Person) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        conn.connect()
        request = make(person, 1)
        ready.wait()
        timed_send(conn, request, result, lock)
        conn.close()

    threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return result, time.perf_counter() - began


# --- WebSocket --------------------------------------------------------------


class Socket:
    """One signed-in page's socket: requests by ref, pongs in order, events kept."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.pending: dict[str, asyncio.Future] = {}
        self.pongs: list[asyncio.Future] = []
        self.seqs: list[int] = []
        self.hello = 0
        self.closed = ""
        self.answer: dict = {}  # the last answer to ask()
        self.reader: asyncio.Task | None = None

    @classmethod
    async def open(cls, port: int, world: World, person: Person) -> Socket:
        from websockets.asyncio.client import connect

        ws = await connect(
            f"ws://{HOST}:{port}/ws/proposals/{world.proposal_id}/",
            origin=f"http://{HOST}:{port}",
            additional_headers={"Cookie": person.cookie},
            compression=None,
            proxy=None,
            ping_interval=None,
            open_timeout=60,
            max_size=2**22,
        )
        socket = cls(ws)
        first = json.loads(await ws.recv())
        while first.get("type") == "viewers":  # presence is unsequenced: it may come first
            first = json.loads(await ws.recv())
        if first.get("type") != "hello":
            raise RuntimeError(f"first frame was {first}")
        socket.hello = first["seq"]
        socket.reader = asyncio.create_task(socket._read())
        return socket

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for text in self.ws:
                frame = json.loads(text)
                kind, ref = frame.get("type"), frame.get("ref")
                if ref in self.pending:
                    self.pending.pop(ref).set_result(frame)
                elif kind == "pong" and self.pongs:
                    self.pongs.pop(0).set_result(frame)
                elif "seq" in frame:
                    self.seqs.append(frame["seq"])
                elif kind == "error":
                    self.closed = f"error frame: {frame.get('message')}"
        except ConnectionClosed as exc:
            self.closed = f"closed {exc.rcvd.code if exc.rcvd else 'abnormally'}"
        for waiting in [*self.pending.values(), *self.pongs]:
            if not waiting.done():
                waiting.set_result({"type": "error", "message": self.closed or "closed"})
        self.pending.clear()
        self.pongs.clear()

    async def ask(self, frame: dict) -> tuple[bool, str]:
        if self.closed:
            return False, self.closed
        waiting = asyncio.get_running_loop().create_future()
        if frame["type"] == "ping":
            self.pongs.append(waiting)
        else:
            self.pending[frame["ref"]] = waiting
        await self.ws.send(json.dumps(frame))
        reply = await waiting
        self.answer = reply
        if reply.get("type") in ("ok", "pong"):
            return True, ""
        return False, f"{reply.get('code', 'error')}: {reply.get('message', '')}"[:80]

    async def close(self) -> None:
        await self.ws.close()
        if self.reader:
            await self.reader


async def open_sockets(port: int, world: World, people: list[Person], result: Result):
    """(socket, person) for each socket that opened; each refusal counted in `result`."""
    from websockets.exceptions import InvalidStatus

    opened = await asyncio.gather(
        *(Socket.open(port, world, p) for p in people), return_exceptions=True
    )
    pairs = []
    for person, socket in zip(people, opened, strict=True):
        if isinstance(socket, InvalidStatus):
            result.add(False, 0, f"handshake HTTP {socket.response.status_code}")
        elif isinstance(socket, Exception):
            result.add(False, 0, f"handshake {type(socket).__name__}")
        else:
            pairs.append((socket, person))
    return pairs


async def delivered(sockets: list[Socket], quiet: float = 1.0, wait: float = 15.0):
    """Once the events stop coming: did every socket get every event from its
    hello to the last one any socket saw, in order, once? Returns the verdict
    and that last number, which the caller compares with the database (read
    there, in the main thread: a leaking server may have no connection left
    for this one)."""
    if not sockets:
        return "no socket opened", 0
    deadline, count, since = time.monotonic() + wait, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = sum(len(s.seqs) for s in sockets)
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        await asyncio.sleep(0.05)
    last = max([s.seqs[-1] for s in sockets if s.seqs] + [s.hello for s in sockets])
    missing = sum(1 for s in sockets if s.seqs != list(range(s.hello + 1, last + 1)))
    if missing:
        return f"{missing} of {len(sockets)} sockets missing or disordered events", last
    return f"all {len(sockets)} got events {sockets[0].hello + 1}..{last} in order", last


async def ws_load(
    name, port, world: World, people: list[Person], seconds, token, marker: str = "W"
) -> Result:
    result = Result(name, len(people))
    keyed = "no key" not in name
    pairs = await open_sockets(port, world, people, result)
    sockets = [socket for socket, _person in pairs]
    posting = "comment" in name
    deadline = time.monotonic() + seconds

    async def client(socket: Socket, person: Person) -> None:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            frame = {"type": "ping"}
            if posting:
                frame = {
                    "type": "comment.post",
                    "body": f"{marker}{person.user_id}.{n} " + BODY.format(n),
                    "key": str(uuid.uuid4()) if keyed else "",
                    "section": world.section_id,
                    "started": token,
                    "website": "",
                    "ref": f"r{n}",
                }
            start = time.perf_counter()
            ok, error = await socket.ask(frame)
            result.add(ok, time.perf_counter() - start, error, comment_of(frame))
            if socket.closed:
                break  # counted once: a closed socket posts nothing more

    began = time.perf_counter()
    await asyncio.gather(*(client(s, p) for s, p in pairs))
    result.seconds = time.perf_counter() - began
    if posting:
        result.events, result.last_event = await delivered(sockets)
    await asyncio.gather(*(s.close() for s in sockets))
    return result


async def ws_replies(port: int, world: World, marker: str, token: str):
    people = world.people[:REPLIES]
    result = Result("WebSocket", REPLIES)
    pairs = await open_sockets(port, world, people, result)
    sockets = [socket for socket, _person in pairs]

    async def reply(socket: Socket, person: Person) -> None:
        frame = {
            "type": "comment.post",
            "body": f"{marker}{person.user_id}.1 " + BODY.format(1),
            "parent": world.parent_id,
            "started": token,
            "website": "",
            "ref": "reply",
            "key": str(uuid.uuid4()),
        }
        start = time.perf_counter()
        ok, error = await socket.ask(frame)
        result.add(ok, time.perf_counter() - start, error, comment_of(frame))

    began = time.perf_counter()
    await asyncio.gather(*(reply(s, p) for s, p in pairs))
    wall = time.perf_counter() - began
    result.events, result.last_event = await delivered(sockets)
    await asyncio.gather(*(s.close() for s in sockets))
    return result, wall


async def retry_check(port: int, world: World, token: str, count: int = 20, tag: str = "") -> str:
    """Posts whose answer is taken for lost: each sent over a socket, then
    again with its key on a new socket, then through the form. Each must be
    stored once, and every answer must name the same comment."""
    faults, keys = [], {}
    for person in world.people[:count]:
        key, body = str(uuid.uuid4()), f"K{tag}{person.user_id}.1 " + BODY.format(1)
        frame = {"type": "comment.post", "body": body, "section": world.section_id,
                 "started": token, "website": "", "ref": "k", "key": key}  # fmt: skip
        answers = []
        for _attempt in range(2):
            socket = await Socket.open(port, world, person)
            ok, error = await socket.ask(frame)
            answers.append((socket.answer.get("comment") or {}).get("id") if ok else error)
            await socket.close()
        answers.append(await asyncio.to_thread(_form_again, port, world, person, key, body))
        if len(set(answers)) != 1 or not isinstance(answers[0], int):
            faults.append(f"{person.user_id}: answers {answers}")
        keys[key] = answers[0]
    stored = await asyncio.to_thread(_stored_by_key, list(keys))
    wrong = [key for key, pk in keys.items() if stored.get(key) != [pk]]
    if wrong:
        faults.append(f"{len(wrong)} keys not stored exactly once as answered")
    if faults:
        return "; ".join(faults[:5])
    return f"ok, {count} posts each sent 3 times (2 sockets, 1 form): {len(keys)} stored once"


def _form_again(port: int, world: World, person: Person, key: str, body: str) -> int | str:
    """The same post through the form: the comment its redirect names."""
    method, path, fields, headers, _expected = form_request(world, "K")(person, 1, key=key)
    fields = urllib.parse.urlencode({**dict(urllib.parse.parse_qsl(fields)), "body": body})
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(method, path, body=fields, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    location = response.getheader("Location") or ""
    if "#comment-" not in location:
        return f"HTTP {response.status} {location}"
    return int(location.rsplit("#comment-", 1)[1])


def _stored_by_key(keys: list[str]) -> dict[str, list[int]]:
    from django.db import connections

    from discussion.models import Comment

    stored: dict[str, list[int]] = {}
    for pk, key in Comment.objects.filter(client_key__in=keys).values_list("pk", "client_key"):
        stored.setdefault(str(key), []).append(pk)
    connections.close_all()
    return stored


# --- The database -----------------------------------------------------------


def listeners(result: Result, world: World) -> str:
    """What the sockets received, held against the event log."""
    last = last_seq(world)
    if result.events.startswith("all ") and result.last_event != last:
        return f"{result.events}, but the log goes up to {last}"
    return result.events


def last_seq(world: World) -> int:
    from discussion.live import events

    return events.last_seq(world.proposal_id)


def comment_of(fields: dict) -> tuple[str, int, int | None] | None:
    """(marker key, sender, parent) of a comment as it was sent: the body
    starts with the key, marker + sender's id + "." + number."""
    body = fields.get("body") or ""
    key = body.split(" ", 1)[0]
    sender = key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").split(".", 1)[0]
    if not sender.isdigit():
        return None
    parent = fields.get("parent")
    return key, int(sender), int(parent) if parent else None


def acknowledged_check(marker: str, acked: list[tuple[str, int, int | None]]) -> str:
    """Every acknowledged comment stored once, by its sender, under the parent
    it was sent to; nothing stored with this marker that was not acknowledged."""
    from discussion.models import Comment

    rows = Comment.objects.filter(body__regex=rf"^{marker}[0-9]+\.").values_list(
        "body", "author_id", "parent_id"
    )
    stored: dict[str, list[tuple[int, int | None]]] = {}
    for body, author, parent in rows:
        stored.setdefault(body.split(" ", 1)[0], []).append((author, parent))
    faults = Counter()
    for key, sender, parent in acked:
        found = stored.pop(key, [])
        if not found:
            faults["acknowledged but not stored"] += 1
        elif len(found) > 1:
            faults["stored more than once"] += 1
        elif found[0][0] != sender:
            faults["stored under another author"] += 1
        elif found[0][1] != parent:
            faults["stored under another parent"] += 1
    if stored:
        faults["stored but never acknowledged"] += sum(len(rows) for rows in stored.values())
    if faults:
        return "MISMATCH: " + ", ".join(f"{n} {what}" for what, n in faults.items())
    return f"ok, all {len(acked)} stored once, by their sender, under their parent"


def reply_state(world: World) -> dict:
    from discussion.models import Comment

    return {
        "reply_count": Comment.objects.get(pk=world.root_id).reply_count,
        "ids": set(Comment.objects.filter(parent_id=world.parent_id).values_list("pk", flat=True)),
    }


def verify_replies(world: World, before: dict) -> str:
    """50 new replies, in the right place, counted once each, each with its event."""
    from discussion.models import Comment, Event

    parent = Comment.objects.get(pk=world.parent_id)
    new = Comment.objects.filter(parent_id=world.parent_id).exclude(pk__in=before["ids"])
    faults = []
    if (count := new.count()) != REPLIES:
        faults.append(f"{count} new replies")
    misplaced = new.exclude(root_id=world.root_id, depth=parent.depth + 1)
    if misplaced.exists():
        faults.append(f"{misplaced.count()} with wrong root or depth")
    grew = Comment.objects.get(pk=world.root_id).reply_count - before["reply_count"]
    if grew != REPLIES:
        faults.append(f"reply_count grew by {grew}")
    ids = list(new.values_list("pk", flat=True))
    announced = Event.objects.filter(
        proposal_id=world.proposal_id, type="comment.created", payload__id__in=ids
    ).count()
    if announced != len(ids):
        faults.append(f"{announced} events for {len(ids)} replies")
    return "; ".join(faults) or "ok"


def event_log_check(world: World) -> str:
    """The proposal's event sequence: 1..last, each once, and the counter agrees."""
    from discussion.models import Event

    seqs = list(
        Event.objects.filter(proposal_id=world.proposal_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    last = last_seq(world)
    if seqs != list(range(1, last + 1)):
        dupes = len(seqs) - len(set(seqs))
        return f"{len(seqs)} events, counter {last}, {dupes} duplicates: not contiguous"
    return f"ok, events 1..{last} contiguous, no duplicates"


def bare_inserts(world: World, rows: int) -> Result:
    """The database ceiling: the same rows, one transaction each, no web, no events."""
    from django.db import transaction

    from discussion.models import Comment
    from proposals.models import Proposal

    proposal = Proposal.objects.get(pk=world.proposal_id)
    result = Result("database: bare ORM insert, one process", 1)
    began = time.perf_counter()
    for n in range(rows):
        start = time.perf_counter()
        with transaction.atomic():
            Comment.objects.create(
                proposal=proposal,
                section_id=world.section_id,
                author_id=world.people[0].user_id,
                version_id=proposal.current_version_id,
                body=f"B{n}. " + BODY.format(n),
                body_html=f"<p>{BODY.format(n)}</p>",
            )
        result.add(True, time.perf_counter() - start)
    result.seconds = time.perf_counter() - began
    return result


def service_inserts(world: World, rows: int) -> Result:
    """What one comment costs in the service alone: checks, Markdown, the
    fragment in each language, the event and its broadcast; no web. Called
    from an event loop's worker thread, as Daphne calls it, so that the
    broadcast reuses the loop's Redis connection instead of opening one."""
    from asgiref.sync import sync_to_async
    from django.db import OperationalError

    async def timed() -> Result:
        return await sync_to_async(_service_inserts)(world, rows)

    try:
        return asyncio.run(timed())
    except OperationalError as error:  # a new thread needs a connection of its own
        result = Result("service: comment_create, one process", 1)
        result.add(False, 0, f"OperationalError: {str(error).strip().splitlines()[0][-50:]}")
        return result


def _service_inserts(world: World, rows: int) -> Result:
    from consult.accounts.models import User
    from discussion.comments import services
    from proposals.models import Proposal, Section

    proposal = Proposal.objects.get(pk=world.proposal_id)
    section = Section.objects.get(pk=world.section_id)
    author = User.objects.get(pk=world.people[0].user_id)
    result = Result("service: comment_create, one process", 1)
    began = time.perf_counter()
    for n in range(rows):
        start = time.perf_counter()
        services.comment_create(
            actor=author, proposal=proposal, body=f"S{n}. " + BODY.format(n), section=section
        )
        result.add(True, time.perf_counter() - start)
    result.seconds = time.perf_counter() - began
    return result


# --- The machine ------------------------------------------------------------


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return (
        f"{os.cpu_count()} cores ({model}), {total_kib / 2**20:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
