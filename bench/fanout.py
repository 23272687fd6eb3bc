"""Benchmark: live fan-out, M listeners on one proposal and comments at R per second.

    .venv/bin/python bench/fanout.py [--listeners 2000] [--rate 5] [--seconds 30]
    .venv/bin/python bench/fanout.py --listeners 200 --seconds 10      # a quick check

Runs, one after the other against one private Redis: the plain `websockets`
broadcast server (the ceiling), the Channels-tutorial consumer on Daphne and
RedisChannelLayer, and the platform itself (`daphne asgi:application`) on
each channel layer (RedisChannelLayer, RedisPubSubChannelLayer). For each, the
listener processes open M sockets, the server is left to go quiet, then
comments are posted at R per second for S seconds: to the platform through
discussion.comments.services.comment_create from this process (Django on a throwaway
SQLite file, or DATABASE_URL), to the baselines as a frame from one more
socket, the size of one platform event. Latency is from the start of each
post to its receipt at each listener, over every (listener, post) pair; a
post that a listener has not seen when the drain ends (--drain seconds after
the last post at most, sooner once every post has arrived everywhere or
nothing has arrived for 5 s) is lost. CPU is in cores (1.0 is one core),
over the posting and the drain; server µs/frame is the server's CPU time
divided by the frames delivered. `--profile DIR` samples each server with
py-spy (if on PATH) while posting. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import ministry_consultation
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
    sockets_open,
    wait_quiet,
)

TARGETS = {
    "websockets": "plain `websockets` broadcast",
    "tutorial": "Channels tutorial, RedisChannelLayer",
    "tutorial-pubsub": "Channels tutorial, RedisPubSubChannelLayer",
    "platform": "platform, RedisChannelLayer",
    "platform-pubsub": "platform, RedisPubSubChannelLayer",
}
DEFAULT_TARGETS = "websockets,tutorial,platform-pubsub"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5.0, help="Posts per second.")
    parser.add_argument("--seconds", type=float, default=30.0, help="How long to post.")
    parser.add_argument("--drain", type=float, default=15.0, help="Longest wait after.")
    parser.add_argument("--processes", type=int, default=2, help="Listener processes.")
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy samples of each server: DIR/<server>.txt."
    )
    args, targets = parse_with_targets(parser, TARGETS, DEFAULT_TARGETS)

    rows = []
    with Fleet() as fleet:
        redis = live_django(fleet)
        proposal_id, post, frame_bytes = build()
        for target in targets:
            redis_flush(redis.url)
            print(f"{TARGETS[target]}: {args.listeners:,} listeners ...", file=sys.stderr)
            rows.append(run(fleet, target, redis, proposal_id, post, frame_bytes, args))
            row = rows[-1]
            print(
                f"  p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, lost {row['lost']}",
                file=sys.stderr,
            )

    print(
        f"{args.listeners:,} listeners on one proposal, {args.rate:g} posts/s for "
        f"{args.seconds:g} s, frames of {frame_bytes:,} bytes; {args.processes} listener "
        f"processes; CPU in cores (of {os.cpu_count()})"
    )
    print(
        "| server | posted | p50 ms | p99 ms | max ms | lost | server CPU | server µs/frame "
        "| Redis CPU | listeners CPU | rest of machine CPU | connect s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {TARGETS[row['target']]} | {row['posted']} | {row['p50']:.0f} | "
            f"{row['p99']:.0f} | {row['max']:.0f} | {row['lost']:,} | {row['server_cpu']:.2f} | "
            f"{row['server_us']:.0f} | {row['redis_cpu']:.2f} | {row['listeners_cpu']:.2f} | "
            f"{row['rest_cpu']:.2f} | {row['connect']:.1f} |"
        )
    print_notes((TARGETS[row["target"]], row["note"]) for row in rows)
    return 0


def run(fleet: Fleet, target: str, redis, proposal_id: int, post, frame_bytes: int, args) -> dict:
    if target.startswith("platform"):
        use_layer(layer_of(target))
    server, url, origin = serve(fleet, target, redis_url=redis.url, proposal_id=proposal_id)
    listeners = Listeners(fleet, url=url, origin=origin, processes=args.processes)
    try:
        opened = sockets_open(listeners, args.listeners)
        # Joining may set off work for every socket (presence): let it finish.
        settle = wait_quiet(server.pid, timeout=300)
        pids = {"server": [server.pid], "redis": [redis.process.pid], "listeners": listeners.pids}
        before = {name: cpu_seconds(p) for name, p in pids.items()}
        each = {pid: cpu_seconds([pid]) for pid in listeners.pids}
        machine_before = machine_busy_seconds()
        profiler = profile_start(fleet, args.profile, target, server.pid)
        start = time.monotonic()
        if target.startswith("platform"):
            sent, post_seconds = post_with_service(post, args.rate, args.seconds)
        else:
            sent, post_seconds = asyncio.run(
                post_over_socket(url, origin, args.rate, args.seconds, frame_bytes)
            )
        expected = len(sent) * opened["open"]
        drain_until = time.monotonic() + args.drain
        last, still = -1, 0
        while time.monotonic() < drain_until:
            interrupted()
            counted = listeners.status()["counted"]
            if counted >= expected:
                break
            still = still + 1 if counted == last else 0
            if still >= 10:
                break
            last = counted
            time.sleep(0.5)
        wall = time.monotonic() - start
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        busiest = max(cpu_seconds([pid]) - each[pid] for pid in listeners.pids) / (
            time.monotonic() - start
        )
        used = {name: cpu_seconds(p) - before[name] for name, p in pids.items()}
        cpu = {name: seconds / wall for name, seconds in used.items()}
        # The poster (this process) and anything else running on the machine.
        rest = (machine_busy_seconds() - machine_before - sum(used.values())) / wall
        dumps = listeners.dump()
    finally:
        server.stop()
        listeners.stop()
    latencies, lost, closed = [], 0, 0
    for dump in dumps:
        closed += dump["closed"]
        for keys, times in dump["sockets"]:
            seen = set()
            for key, received in zip(keys, times, strict=True):
                key = str(key)
                if key in sent and key not in seen:
                    seen.add(key)
                    latencies.append((received - sent[key]) * 1000)
            lost += len(sent) - len(seen)
    lost += len(sent) * (args.listeners - opened["open"])
    note = []
    if post_seconds:
        note.append(
            f"one comment_create call took {percentile(post_seconds, 50) * 1000:.0f} ms "
            f"(p50), {percentile(post_seconds, 99) * 1000:.0f} ms (p99), broadcast included"
        )
    if busiest > 0.8:
        note.append(f"one listener process used {busiest:.2f} cores: the load generator may lag")
    if settle > 5:
        note.append(f"the server went quiet {settle:.0f} s after the last socket opened")
    if closed:
        note.append(f"{closed} sockets were closed by the end")
    if opened["failed"]:
        note.append(f"{opened['failed']} sockets failed to open: {opened['errors']}")
    return {
        "target": target,
        "posted": len(sent),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=float("nan")),
        "lost": lost,
        "server_cpu": cpu["server"],
        "server_us": used["server"] / max(1, len(latencies)) * 1e6,
        "redis_cpu": cpu["redis"],
        "listeners_cpu": cpu["listeners"],
        "rest_cpu": rest,
        "connect": opened["seconds"],
        "settle": settle,
        "note": "; ".join(note),
    }


def profile_start(fleet: Fleet, directory: str | None, target: str, pid: int):
    """py-spy sampling the server until interrupted: collapsed stacks, one a line."""
    if not directory:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    output = Path(directory) / f"{target}.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--output", str(output)]
    return fleet.popen([*command, "--rate", "200", "--nonblocking"], stdout=subprocess.DEVNULL)


def schedule(rate: float, seconds: float):
    """Sleep until each post is due; yields its index."""
    start = time.monotonic()
    for i in range(max(1, round(rate * seconds))):
        interrupted()
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield i


def post_with_service(post, rate: float, seconds: float) -> tuple[dict[str, float], list[float]]:
    """Comments through the real service; each comment's id and its start time."""
    sent, durations = {}, []
    for i in schedule(rate, seconds):
        started = time.time()
        comment_id = post(i)
        durations.append(time.time() - started)
        sent[str(comment_id)] = started
    return sent, durations


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


def build():
    """One open consultation and a citizen; `post(i)` comments through the service.
    Also the size of one comment's event, for the baselines' frames."""
    from allauth.account.models import EmailAddress

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


if __name__ == "__main__":
    raise SystemExit(main())
