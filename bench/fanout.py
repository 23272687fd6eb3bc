"""Benchmark: live fan-out as used, M listeners on one proposal and comments at R per second.

    .venv/bin/python bench/fanout.py [--listeners 2000] [--rate 5] [--seconds 30]
    .venv/bin/python bench/fanout.py --listeners 200 --seconds 10      # a quick check
    .venv/bin/python bench/fanout.py --servers 2                       # two Daphnes

Runs, one after the other against one private Redis: the plain `websockets`
broadcast server (the ceiling) and the platform itself (`daphne
asgi:application`, on RedisPubSubChannelLayer as production; the Channels
tutorial and the core layer on request). For each, listener processes open M
sockets (spread over the servers' processes with --servers), each sending the
browser's keep-alive ping every --ping seconds from a random start; the
server is left to go quiet; then comments are posted at R per second for S
seconds. To the platform they are posted through the site as production
receives them: citizens signed in through the site's own session store, each
with a socket of their own on the same Daphne processes (one post in five
through the plain form instead), so the posts' own work (permission checks,
Markdown, fragments in two languages, the event) runs where the fan-out does
(bench/fanout_site.py). To the baseline, as a frame from one more socket, the
size of one platform event.

Latency is from the start of each post to its receipt at each listener, over
every (listener, post) pair. Afterwards the run is checked against the
database: every acknowledged post stored once, by its citizen, under its
parent, with its event; every listener received every event once and in the
log's order; nothing missing when the drain ends (--drain seconds after the
last post at most, sooner once every post has arrived everywhere or nothing
has arrived for 5 s). Any failure is printed and the exit status is 1. CPU is
in cores (1.0 is one core), over the posting and the drain; server µs/frame
is the servers' CPU time divided by the frames delivered. `--profile DIR`
samples each server with py-spy (if on PATH) while posting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fanout_site import build, post_through_site, verify
from live_common import (
    Fleet,
    Listeners,
    cpu_seconds,
    interrupted,
    layer_of,
    live_django,
    machine_busy_seconds,
    parse_with_targets,
    percentile,
    print_notes,
    redis_flush,
    serve,
    start_platform,
    wait_quiet,
)

TARGETS = {
    "websockets": "plain `websockets` broadcast",
    "tutorial": "Channels tutorial, RedisChannelLayer",
    "platform": "platform, RedisChannelLayer",
    "platform-pubsub": "platform, RedisPubSubChannelLayer",
}
DEFAULT_TARGETS = "websockets,platform-pubsub"
# Each citizen posts at most this many comments a minute (production allows 6).
POSTS_PER_CITIZEN_MINUTE = 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5.0, help="Posts per second.")
    parser.add_argument("--seconds", type=float, default=30.0, help="How long to post.")
    parser.add_argument("--drain", type=float, default=15.0, help="Longest wait after.")
    parser.add_argument("--processes", type=int, default=2, help="Listener processes.")
    parser.add_argument("--servers", type=int, default=1, help="Daphne processes.")
    parser.add_argument("--ping", type=float, default=30.0, help="Each listener's ping, s.")
    parser.add_argument("--citizens", type=int, default=75, help="People posting, at least.")
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy samples of each server: DIR/<server>.txt."
    )
    parser.add_argument(
        "--idle",
        action="store_true",
        help="With --profile: sample waiting threads too, each under its thread's name.",
    )
    args, targets = parse_with_targets(parser, TARGETS, DEFAULT_TARGETS)
    args.citizens = max(args.citizens, math.ceil(args.rate * 60 / POSTS_PER_CITIZEN_MINUTE))
    load = Path("/proc/loadavg").read_text().split()[:3]

    rows = []
    with Fleet() as fleet:
        redis = live_django(fleet)
        world = build(args.citizens)
        frame_bytes = event_bytes(world)
        for number, target in enumerate(targets):
            redis_flush(redis.url)
            print(f"{TARGETS[target]}: {args.listeners:,} listeners ...", file=sys.stderr)
            prefix = f"fanout{number}"
            rows.append(run(fleet, target, redis, (world, prefix, frame_bytes), args))
            row = rows[-1]
            print(
                f"  p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, lost {row['lost']}",
                file=sys.stderr,
            )
    print_table(rows, args, frame_bytes, load)
    failed = [(TARGETS[row["target"]], row["problems"]) for row in rows if row["problems"]]
    for name, problems in failed:
        print(f"\nCHECK FAILED for {name}:", file=sys.stderr)
        for problem in problems[:10]:
            print(f"  {problem}", file=sys.stderr)
        if len(problems) > 10:
            print(f"  ... and {len(problems) - 10} more", file=sys.stderr)
    return 1 if failed else 0


def print_table(rows: list[dict], args, frame_bytes: int, load: list[str]) -> None:
    print(
        f"{args.listeners:,} listeners on one proposal (pinging every {args.ping:g} s), "
        f"{args.rate:g} posts/s for {args.seconds:g} s by {args.citizens} citizens, frames "
        f"of {frame_bytes:,} bytes; {args.servers} server process(es) for the platform, "
        f"{args.processes} listener processes; CPU in cores (of {os.cpu_count()}); "
        f"load average at the start {' '.join(load)}"
    )
    print(
        "| server | posted | stored | p50 ms | p99 ms | max ms | lost | server CPU "
        "| server µs/frame | Redis CPU | listeners CPU | rest of machine CPU | connect s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {TARGETS[row['target']]} | {row['posted']} | {row['stored']} | {row['p50']:.0f} "
            f"| {row['p99']:.0f} | {row['max']:.0f} | {row['lost']:,} | {row['server_cpu']:.2f} "
            f"| {row['server_us']:.0f} | {row['redis_cpu']:.2f} | {row['listeners_cpu']:.2f} "
            f"| {row['rest_cpu']:.2f} | {row['connect']:.1f} |"
        )
    print_notes((TARGETS[row["target"]], row["note"]) for row in rows)


def start_servers(fleet: Fleet, target: str, redis, proposal_id: int, count: int):
    """The target's servers: (servers, [(url, origin) of each])."""
    if not target.startswith("platform") or count == 1:
        server, url, origin = serve(fleet, target, redis_url=redis.url, proposal_id=proposal_id)
        return [server], [(url, origin)]
    servers = [
        start_platform(fleet, redis_url=redis.url, layer=layer_of(target)) for _ in range(count)
    ]
    return servers, [
        (f"ws://127.0.0.1:{s.port}/ws/proposals/{proposal_id}/", f"http://127.0.0.1:{s.port}")
        for s in servers
    ]


def run(fleet: Fleet, target: str, redis, posting: tuple, args) -> dict:
    platform = target.startswith("platform")
    world, prefix, frame_bytes = posting
    if platform:
        use_layer(layer_of(target))
    servers, addresses = start_servers(
        fleet, target, redis, world.proposal_id, args.servers if platform else 1
    )
    groups = [
        Listeners(
            fleet,
            url=url,
            origin=origin,
            processes=max(1, args.processes // len(addresses)),
            ping=args.ping,
            # Handshakes at once per process: fewer than Daphne's 5 s timeout
            # can take on a busy machine (connecting is bench/idle_sockets.py's).
            concurrency=10,
        )
        for url, origin in addresses
    ]
    try:
        opened = open_all(groups, args.listeners)
        # Joining may set off work for every socket (presence): let it finish.
        # Pings keep a server a little busy: quiet is under the share they cost.
        quiet = 0.1 + (args.listeners / len(servers) / args.ping * 0.0005 if args.ping else 0)
        settle = max(wait_quiet(s.pid, below=quiet, timeout=120) for s in servers)
        listener_pids = [pid for group in groups for pid in group.pids]
        pids = {
            "server": [server.pid for server in servers],
            "redis": [redis.process.pid],
            "listeners": listener_pids,
        }
        before = {name: cpu_seconds(p) for name, p in pids.items()}
        machine_before = machine_busy_seconds()
        profilers = [
            profile_start(fleet, args.profile, f"{target}-{i}", server.pid, idle=args.idle)
            for i, server in enumerate(servers)
        ]
        start = time.monotonic()
        if platform:
            ports = [server.port for server in servers]
            posts = asyncio.run(post_through_site(ports, world, prefix, args.rate, args.seconds))
            acked = sum(post.acked for post in posts)
        else:
            url, origin = addresses[0]
            sent, _ = asyncio.run(
                post_over_socket(url, origin, args.rate, args.seconds, frame_bytes)
            )
            acked = len(sent)
        drain(groups, acked * opened["open"], args.drain)
        wall = time.monotonic() - start
        for profiler in filter(None, profilers):
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        used = {name: cpu_seconds(p) - before[name] for name, p in pids.items()}
        cpu = {name: seconds / wall for name, seconds in used.items()}
        # The posting citizens (this process) and anything else on the machine.
        rest = (machine_busy_seconds() - machine_before - sum(used.values())) / wall
        dumps = [dump for group in groups for dump in group.dump()]
    finally:
        for server in servers:
            server.stop()
        for group in groups:
            group.stop()
    if platform:
        check = verify(world, prefix, posts, dumps, args.listeners)
        stored, refused = check.stored, [post.error for post in posts if not post.acked]
        replies = [post.reply_seconds for post in posts if post.acked]
    else:
        check = verify_baseline(sent, dumps, args.listeners)
        stored, refused, replies = len(sent), [], []
    note = notes(opened, settle, dumps, refused, replies)
    if check.unanswered:
        note += (
            f"; {check.unanswered} posts had no reply within 120 s "
            f"({check.unanswered_stored} of them stored, with their events)"
        )
    return {
        "target": target,
        "posted": len(posts) if platform else len(sent),
        "stored": stored,
        "p50": percentile(check.latencies, 50),
        "p99": percentile(check.latencies, 99),
        "max": max(check.latencies, default=float("nan")),
        "lost": check.lost,
        "problems": check.problems,
        "server_cpu": cpu["server"],
        "server_us": used["server"] / max(1, len(check.latencies)) * 1e6,
        "redis_cpu": cpu["redis"],
        "listeners_cpu": cpu["listeners"],
        "rest_cpu": rest,
        "connect": opened["seconds"],
        "note": note,
    }


def open_all(groups: list[Listeners], n: int) -> dict:
    """n sockets spread over the servers' listener groups, opened together."""
    start, total = time.monotonic(), {"open": 0, "failed": 0, "errors": []}
    shares = [n // len(groups) + (i < n % len(groups)) for i in range(len(groups))]
    for group, share in zip(groups, shares, strict=True):
        for worker, command in zip(group.workers, group.open_commands(share), strict=True):
            worker.stdin.write((json.dumps(command) + "\n").encode())
            worker.stdin.flush()
    for group in groups:
        for worker in group.workers:
            reply = group.reply(worker, 600.0)
            total["open"] += reply["open"]
            total["failed"] += reply["failed"]
            total["errors"] += reply["errors"]
    total["seconds"] = time.monotonic() - start
    if total["failed"]:
        print(f"  {total['failed']} of {n} sockets failed: {total['errors'][:3]}", file=sys.stderr)
    return total


def drain(groups: list[Listeners], expected: int, longest: float) -> None:
    """Wait until every receipt is in, nothing has come for 5 s, or `longest` s."""
    until, last, still = time.monotonic() + longest, -1, 0
    while time.monotonic() < until:
        interrupted()
        counted = sum(group.status()["counted"] for group in groups)
        if counted >= expected:
            return
        still = still + 1 if counted == last else 0
        if still >= 10:
            return
        last = counted
        time.sleep(0.5)


def notes(opened: dict, settle: float, dumps: list[dict], refused: list, replies: list) -> str:
    note = []
    if replies:
        note.append(
            f"a citizen's post was answered in {percentile(replies, 50) * 1000:.0f} ms (p50), "
            f"{percentile(replies, 99) * 1000:.0f} ms (p99)"
        )
    if refused:
        note.append(f"{len(refused)} posts refused, e.g. {refused[0]!r}")
    if settle > 5:
        note.append(f"the server went quiet {settle:.0f} s after the last socket opened")
    closed = sum(dump["closed"] for dump in dumps)
    if closed:
        note.append(f"{closed} sockets were closed by the end")
    if opened["failed"]:
        note.append(f"{opened['failed']} sockets failed to open: {opened['errors'][:3]}")
    return "; ".join(note)


def verify_baseline(sent: dict[str, float], dumps: list[dict], expected: int):
    """The baseline's receipts: every frame once per listener, in order."""
    from fanout_site import Check

    check = Check(stored=len(sent))
    sockets = [socket for dump in dumps for socket in dump["sockets"]]
    check.lost += len(sent) * max(0, expected - len(sockets))
    for keys, _seqs, times in sockets:
        keys = [str(key) for key in keys]
        if len(set(keys)) != len(keys) or [int(k) for k in keys] != sorted(int(k) for k in keys):
            check.problems.append("a listener received frames twice or out of order")
        check.latencies += [(t - sent[k]) * 1000 for k, t in zip(keys, times, strict=True)]
        check.lost += len(set(sent) - set(keys))
    if check.lost:
        check.problems.append(f"{check.lost:,} (listener, frame) receipts missing")
    return check


def profile_start(fleet: Fleet, directory: str | None, target: str, pid: int, idle: bool = False):
    """py-spy sampling the server until interrupted: collapsed stacks, one a
    line (with ``idle``, waiting threads too, each stack under its thread)."""
    if not directory:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    output = Path(directory) / f"{target}.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--output", str(output)]
    command += ["--idle", "--threads"] if idle else []
    return fleet.popen([*command, "--rate", "200", "--nonblocking"], stdout=subprocess.DEVNULL)


async def post_over_socket(url: str, origin: str, rate: float, seconds: float, size: int):
    """The baselines' posts: a frame from one more socket, the size of a platform event."""
    from websockets.asyncio.client import connect

    sent = {}
    html = {"en": "x" * (size // 2), "zh-hans": "x" * (size // 2)}
    async with connect(url, origin=origin, compression=None, proxy=None) as websocket:

        async def drain() -> None:
            # Frames echoed back to the poster are read and dropped, so they never queue.
            async for _frame in websocket:
                pass

        draining = asyncio.create_task(drain())
        start = time.monotonic()
        for i in range(max(1, round(rate * seconds))):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[str(i)] = time.time()
            await websocket.send(json.dumps({"type": "post", "n": i, "html": html}))
        draining.cancel()
    return sent, []


def use_layer(kind: str) -> None:
    """This process posts through the same layer as the server it measures."""
    from channels.layers import channel_layers
    from django.conf import settings
    from live_settings import channel_layers as layers_for

    settings.CHANNEL_LAYERS = layers_for(kind)
    channel_layers.backends = {}


def event_bytes(world) -> int:
    """The size of one platform comment event (the thread's first comment's), in
    one language, for the baseline's frames."""
    from discussion.live.events import encoded, message
    from discussion.models import Event

    event = Event.objects.filter(proposal_id=world.proposal_id, type="comment.created").latest(
        "seq"
    )
    return max(len(text.encode()) for text in encoded(message(event)).values())


if __name__ == "__main__":
    raise SystemExit(main())
