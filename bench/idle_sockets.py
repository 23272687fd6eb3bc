"""Benchmark: idle listeners held by one Daphne process, and memory per socket.

    .venv/bin/python bench/idle_sockets.py [--sockets 1000,2500,5000] [--hold 30]
    .venv/bin/python bench/idle_sockets.py --sockets 200,500 --hold 10   # a quick check

Runs, one after the other against one private Redis: the plain `websockets`
server (the baseline) and the platform (`daphne asgi:application`, sockets on
`/ws/proposals/<id>/`) on each channel layer. For each, one socket is opened
and held first (so that code loaded on first use is not counted), the server's
RSS is read, then sockets are opened up to each count in turn; after each
step the server is left to go quiet before its RSS is read again. Memory per
socket is the growth over the first reading divided by the sockets opened.
After the last step the sockets are held idle for --hold seconds, and any the
server closed in that time are counted. Results: docs/benchmarks.md.

    .venv/bin/python bench/idle_sockets.py --storm --sockets 2000,5000

A connect storm instead: for each count, a fresh server, warmed by one
socket, then that many sockets opened at once from zero (a crowd coming back
after a deploy), timed from the first handshake to the last hello.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from live_common import (
    Fleet,
    Listeners,
    live_django,
    parse_with_targets,
    print_notes,
    redis_flush,
    rss_bytes,
    serve,
    sockets_open,
    wait_quiet,
)

TARGETS = {
    "websockets": "plain `websockets`",
    "platform": "platform, RedisChannelLayer",
    "platform-pubsub": "platform, RedisPubSubChannelLayer",
}
DEFAULT_TARGETS = "websockets,platform-pubsub"
MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", default="1000,2500,5000", help="Counts, rising.")
    parser.add_argument("--hold", type=float, default=30.0, help="Idle seconds at the end.")
    parser.add_argument("--processes", type=int, default=2, help="Listener processes.")
    parser.add_argument("--storm", action="store_true", help="Each count from zero, at once.")
    args, targets = parse_with_targets(parser, TARGETS, DEFAULT_TARGETS)
    counts = sorted(int(n) for n in args.sockets.split(","))
    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}")
    if args.storm:
        return storm(targets, counts, args)

    rows = []
    with Fleet() as fleet:
        redis = live_django(fleet)
        proposal_id = build()
        for target in targets:
            redis_flush(redis.url)
            print(f"{TARGETS[target]}: up to {counts[-1]:,} sockets ...", file=sys.stderr)
            rows.extend(run(fleet, target, redis, proposal_id, counts, args))

    print(
        f"idle sockets on one server process; {args.processes} listener processes; "
        f"held {args.hold:g} s after the last step"
    )
    print(
        "| server | sockets | open | RSS before MiB | RSS after MiB | KiB per socket "
        "| Redis KiB per socket | opening s | settling s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {TARGETS[row['target']]} | {row['sockets']:,} | {row['open']:,} | "
            f"{row['before'] / MIB:.0f} | {row['after'] / MIB:.0f} | {row['per_socket']:.0f} | "
            f"{row['redis_per_socket']:.1f} | {row['opening']:.1f} | {row['settling']:.0f} |"
        )
    print_notes(
        (f"{TARGETS[row['target']]}, {row['sockets']:,} sockets", row["note"]) for row in rows
    )
    return 0


def run(fleet: Fleet, target: str, redis, proposal_id: int, counts: list[int], args) -> list:
    server, url, origin = serve(fleet, target, redis_url=redis.url, proposal_id=proposal_id)
    rows = []
    warm = Listeners(fleet, url=url, origin=origin, processes=1)
    listeners = Listeners(fleet, url=url, origin=origin, processes=args.processes)
    try:
        sockets_open(warm, 1)
        wait_quiet(server.pid)
        before = rss_bytes(server.pid)
        redis_before = rss_bytes(redis.process.pid)
        total = 0
        for count in counts:
            opened = sockets_open(listeners, count - total)
            total = count
            settling = wait_quiet(server.pid, timeout=600)
            after = rss_bytes(server.pid)
            redis_after = rss_bytes(redis.process.pid)
            note = []
            if count == counts[-1] and args.hold:
                time.sleep(args.hold)
            still = listeners.status()["open"]
            if opened["failed"]:
                note.append(f"{opened['failed']} failed to open: {opened['errors']}")
            if count == counts[-1] and args.hold and still < opened["open"]:
                note.append(
                    f"{opened['open'] - still} of {opened['open']:,} closed by the server "
                    f"while settling and idle ({settling + args.hold:.0f} s)"
                )
            if settling > 10:
                note.append(f"the server went quiet {settling:.0f} s after the last socket opened")
            rows.append(
                {
                    "target": target,
                    "sockets": count,
                    "open": still,
                    "before": before,
                    "after": after,
                    "per_socket": (after - before) / max(1, opened["open"]) / 1024,
                    "redis_per_socket": (redis_after - redis_before)
                    / max(1, opened["open"])
                    / 1024,
                    "opening": opened["seconds"],
                    "settling": settling,
                    "note": "; ".join(note),
                }
            )
            print(f"  {count:,}: {rows[-1]['per_socket']:.0f} KiB per socket", file=sys.stderr)
    finally:
        server.stop()
        listeners.stop()
        warm.stop()
    return rows


def storm(targets: list[str], counts: list[int], args) -> int:
    rows = []
    with Fleet() as fleet:
        redis = live_django(fleet)
        proposal_id = build()
        for count in counts:
            for target in targets:
                redis_flush(redis.url)
                print(f"{TARGETS[target]}: {count:,} sockets at once ...", file=sys.stderr)
                server, url, origin = serve(
                    fleet, target, redis_url=redis.url, proposal_id=proposal_id
                )
                warm = Listeners(fleet, url=url, origin=origin, processes=1)
                listeners = Listeners(fleet, url=url, origin=origin, processes=args.processes)
                try:
                    sockets_open(warm, 1)
                    wait_quiet(server.pid)
                    opened = sockets_open(listeners, count)
                    still = listeners.status()["open"]
                finally:
                    server.stop()
                    listeners.stop()
                    warm.stop()
                rows.append((target, count, opened, still))
    print(f"connect storm: sockets opened at once on one server process, {args.processes} "
          "client processes of 50 handshakes in flight each")  # fmt: skip
    print("| server | sockets | open | failed | opening s | sockets/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for target, count, opened, still in rows:
        print(
            f"| {TARGETS[target]} | {count:,} | {still:,} | {opened['failed']:,} | "
            f"{opened['seconds']:.1f} | {count / opened['seconds']:,.0f} |"
        )
    failed = [row for row in rows if row[2]["failed"] or row[3] < row[1]]
    if failed:
        print(f"FAILED: sockets not open in {len(failed)} runs", file=sys.stderr)
    return 1 if failed else 0


def build() -> int:
    """One open consultation, as in fanout.py."""
    from live_common import consultation_posted_here

    proposal_id, _post, _size = consultation_posted_here()
    return proposal_id


if __name__ == "__main__":
    raise SystemExit(main())
