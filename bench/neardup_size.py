"""Benchmark: the campaign detector alone, once, on a large corpus.

    .venv/bin/python bench/neardup_size.py [--comments 1000000] [--share 0.2] [--seed 7]

bench/neardup.py's corpus (beyond 100,000 comments bench/neardup_large.py's,
50 campaigns per 100,000 comments, kept between runs) through
consult.analysis.campaigns.find_campaigns once, without tracemalloc (which
slows Python code several times over): wall and processor seconds, the
process's peak resident memory before and after (the corpus itself is most
of "before"), and precision and recall as bench/neardup.py scores them. It
checks its own work: every comment of the corpus was given to the detector
and every planted campaign is scored.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import neardup

from consult.analysis.campaigns import find_campaigns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
    ids, texts, times, truth = neardup.campaign_corpus(args.comments, args.share, args.seed)
    if len(texts) != args.comments or len(ids) != len(set(ids.tolist())):
        raise SystemExit("NEARDUP BENCHMARK FAILED: the corpus is not what was asked for")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, wall = time.process_time(), time.perf_counter()
    result = find_campaigns(ids, texts, times)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    members = sum(group["size"] for group in result["groups"])
    s = neardup.score(result, ids, truth)
    if members != result["comments_in_groups"] or (
        args.share and s["campaigns"] != neardup.campaign_count(args.comments)
    ):
        raise SystemExit("NEARDUP BENCHMARK FAILED: the groups or the campaigns do not add up")
    print(
        "| comments | campaigns planted | groups found | pair precision | pair recall "
        "| comment precision | comment recall | seconds | processor seconds "
        "| peak RSS before / after (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(
        f"| {args.comments:,} | {s['campaigns']} | {s['groups']} | {s['pair_precision']:.4f} "
        f"| {s['pair_recall']:.4f} | {s['comment_precision']:.4f} | {s['comment_recall']:.4f} "
        f"| {wall:.1f} | {cpu:.1f} | {before:.0f} / {after:.0f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
