"""Benchmark: opinion groups for 10,000 participants x 5,000 comments.

    .venv/bin/python bench/groups.py [--participants 10000] [--comments 5000] [--runs 3]
    .venv/bin/python bench/groups.py --false-positives 100


Generates a vote pattern like a large consultation's: each participant votes
on 50-200 comments (about 1.25 million votes), older comments drawing more
votes than newer ones; three planted camps of 50%, 30% and 20% of the
participants, plus a tenth who vote at random. Of the comments, 40% divide
the camps (each camp leans one way, 80/20), 20% are agreed by everyone (80%)
and the rest split at random; 15% of votes are passes. Times
consult.analysis.groups.opinion_groups (wall clock and processor), reports
peak memory (Python allocations by tracemalloc in a separate run, and the
process's resident peak) and how much of the planted camp membership the
groups recovered. Results: docs/benchmarks.md.

``--false-positives N`` instead runs the analysis, with its default test
against chance, on N random vote matrices (20 to 400 participants voting on
a random 30-100% of 10 to 60 comments, agree, disagree or pass at random:
no groups in them) and counts how many show groups anyway, against the 5%
the test's level allows; it checks its own count against the results.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np
from common import ROOT, print_load
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(ROOT))

from consult.analysis.groups import analyse

CAMP_SHARES = (0.5, 0.3, 0.2)
UNDECIDED = 0.1  # share of participants who vote at random
PASS_RATE = 0.15
LEAN = 0.8  # a camp's agree (or disagree) probability on a comment it leans on
DIVIDING, CONSENSUS = 0.4, 0.2  # shares of comments


def generate(
    n_participants: int, n_comments: int, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Votes (participant ids, comment ids, values) and each participant's camp (-1: none)."""
    rng = np.random.default_rng(seed)
    camp = rng.choice(len(CAMP_SHARES), size=n_participants, p=CAMP_SHARES)
    camp[rng.random(n_participants) < UNDECIDED] = -1
    # Older comments are seen by more people: a weight falling from 1 to 0.2.
    weight = np.linspace(1.0, 0.2, n_comments)
    draws = rng.integers(50, 201, size=n_participants)
    who = np.repeat(np.arange(n_participants), draws)
    what = rng.choice(n_comments, size=len(who), p=weight / weight.sum())
    pair = np.unique(who.astype(np.int64) * n_comments + what)  # one vote per pair
    who, what = pair // n_comments, pair % n_comments
    agree_p = _agree_probability(rng, n_comments)
    p = np.where(camp[who] >= 0, agree_p[np.maximum(camp[who], 0), what], 0.5)
    values = np.where(rng.random(len(who)) < p, 1, -1).astype(np.int8)
    values[rng.random(len(who)) < PASS_RATE] = 0
    # Ids as a database would hand them out: large, not dense from zero.
    return who + 100_000, what + 7_000, values, camp


def _agree_probability(rng: np.random.Generator, n_comments: int) -> np.ndarray:
    """Each camp's probability of agreeing (given a non-pass vote) with each comment."""
    kind = rng.random(n_comments)
    lean = rng.choice([LEAN, 1 - LEAN], size=(len(CAMP_SHARES), n_comments))
    everyone = np.full_like(lean, LEAN)
    random = np.full_like(lean, 0.5)
    dividing = kind < DIVIDING
    consensus = (kind >= DIVIDING) & (kind < DIVIDING + CONSENSUS)
    return np.where(dividing, lean, np.where(consensus, everyone, random))


def recovered(camp: np.ndarray, participant_ids: np.ndarray, labels: np.ndarray) -> float:
    """Share of camp members in their camp's group, camps and groups matched one to one."""
    member = camp[participant_ids - 100_000]
    planted = member >= 0
    confusion = np.zeros((len(CAMP_SHARES), labels.max() + 1), dtype=np.int64)
    np.add.at(confusion, (member[planted], labels[planted]), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    return confusion[rows, cols].sum() / planted.sum()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--false-positives", type=int, default=0, metavar="N")
    args = parser.parse_args()
    print_load("bench/groups.py")
    if args.false_positives:
        return false_positives(args.false_positives)

    who, what, values, camp = generate(args.participants, args.comments)
    print(
        f"{args.participants:,} participants x {args.comments:,} comments, "
        f"{len(values):,} votes; Python {platform.python_version()}, {os.cpu_count()} cores\n"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        analysis = analyse(who, what, values)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    result = analysis.result
    tracemalloc.start()
    analyse(who, what, values)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    share = (
        recovered(camp, analysis.participant_ids, analysis.labels)
        if analysis.labels is not None
        else 0.0
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| votes | {len(values):,} |")
    print(f"| participants / comments considered | {result['participants_considered']:,} / "
          f"{result['comments_considered']:,} |")  # fmt: skip
    print(f"| wall s, median of {args.runs} (min-max) | {statistics.median(walls):.2f} "
          f"({min(walls):.2f}-{max(walls):.2f}) |")  # fmt: skip
    print(f"| processor s, median | {statistics.median(cpus):.2f} |")
    print(f"| peak Python allocations MiB (tracemalloc) | {traced / 2**20:.0f} |")
    print(f"| peak resident MiB, whole process (before the analysis) | {rss:.0f} ({before:.0f}) |")
    print(f"| status, k, silhouette | {result['status']}, {result['k']}, {result['silhouette']} |")
    test = result["significance"] or {}
    print(f"| reshuffles, as clear, p-value | {test.get('shuffles')}, {test.get('as_clear')}, "
          f"{test.get('p_value')} |")  # fmt: skip
    print(f"| reshuffles' silhouette: mean (sd), highest | {test.get('chance_mean')} "
          f"({test.get('chance_sd')}), {test.get('chance_highest')} |")  # fmt: skip
    print(f"| group sizes | {', '.join(str(g['size']) for g in result['groups'])} |")
    print(f"| camp members in their camp's group | {share:.2%} |")
    print(
        f"| distinctive / consensus / divisive comments | "
        f"{sum(len(g['distinctive']) for g in result['groups'])} / "
        f"{len(result['consensus'])} / {len(result['divisive'])} |"
    )
    return 0


def false_positives(n: int) -> int:
    """Random votes, n times: how often does the test let groups through?"""
    rng = np.random.default_rng(2026)
    shown, rows = 0, []
    started = time.perf_counter()
    for i in range(n):
        participants = int(rng.integers(20, 401))
        comments = int(rng.integers(10, 61))
        share = float(rng.uniform(0.3, 1.0))
        cast = rng.random((participants, comments)) < share
        people, items = np.nonzero(cast)
        values = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=len(people))
        result = analyse(people + 1, items + 1, values).result
        shown += result["status"] == "ok"
        rows.append((participants, comments, result["status"], result["reason"]))
        print(f"\r{i + 1}/{n} matrices, {shown} with groups", end="", file=sys.stderr)
    print(file=sys.stderr)
    if shown != sum(status == "ok" for *_, status, _ in rows):
        raise SystemExit("the count of matrices with groups does not match the results")
    reasons: dict[str, int] = {}
    for *_, status, reason in rows:
        key = reason or status
        reasons[key] = reasons.get(key, 0) + 1
    print("| measure | value |")
    print("|---|---:|")
    print(f"| random vote matrices | {n} |")
    print(f"| shown groups (false positives) | {shown} ({shown / n:.0%}; the level is 5%) |")
    for key, count in sorted(reasons.items()):
        print(f"| {key} | {count} |")
    print(f"| wall s | {time.perf_counter() - started:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
