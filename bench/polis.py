"""Benchmark: a large Polis export imported, then exported again.

    .venv/bin/python bench/polis.py [--comments 100000] [--votes 1000000] [--voters 10000]

Writes a generated Polis export (votes spread over --voters voters, older
comments drawing more votes; a tenth of the rows are pass votes and a
hundredth are later changes of an earlier vote), imports it into a
throwaway SQLite database with consult.opendata.polis.imports.import_dir, and
exports the archive again with export_dir. Reports the wall time of each
step, the peak resident memory of this process (ru_maxrss) and the sizes of
the files written. Results: docs/open-data-polis.md.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from common import setup_django

START = 1_700_000_000


def generate(folder: Path, n_comments: int, n_votes: int, n_voters: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    authors = rng.integers(0, n_voters, size=n_comments)
    with (folder / "comments.csv").open("w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(
            ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
             "moderated", "comment-body"]
        )  # fmt: skip
        for tid in range(n_comments):
            writer.writerow(
                [START + tid * 10, "", tid, int(authors[tid]), 0, 0, 1,
                 f"Comment {tid}: the bus, the school and the road, point {tid % 97}."]
            )  # fmt: skip
    weight = np.linspace(1.0, 0.2, n_comments)
    tids = rng.choice(n_comments, size=n_votes, p=weight / weight.sum())
    pids = rng.integers(0, n_voters, size=n_votes)
    values = rng.choice(np.array([1, -1, 0]), size=n_votes, p=[0.5, 0.4, 0.1])
    times = START + n_comments * 10 + rng.integers(0, 30 * 86_400, size=n_votes)
    with (folder / "votes.csv").open("w", newline="") as file:
        file.write("timestamp,datetime,comment-id,voter-id,vote\n")
        for t, tid, pid, v in zip(
            times.tolist(), tids.tolist(), pids.tolist(), values.tolist(), strict=True
        ):
            file.write(f"{t},,{tid},{pid},{v}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--voters", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()
    from consult.accounts.models import Department, Jurisdiction
    from consult.opendata.polis.export import export_dir
    from consult.opendata.polis.imports import import_dir

    work = Path(tempfile.mkdtemp(prefix="consult-polis-"))
    t0 = time.perf_counter()
    generate(work / "in", args.comments, args.votes, args.voters)
    t1 = time.perf_counter()
    nation = Jurisdiction.objects.create(name="Nation", slug="nation", level="national")
    department = Department.objects.create(name="Ministry", slug="ministry", jurisdiction=nation)
    result = import_dir(work / "in", department=department)
    t2 = time.perf_counter()
    export_dir(result.proposal, work / "out")
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"generate {t1 - t0:.1f} s, import {t2 - t1:.1f} s, export {t3 - t2:.1f} s")
    print(f"peak RSS {rss:.0f} MB")
    for account in result.files:
        skipped = {reason: s.count for reason, s in account.skipped.items()}
        print(f"{account.name}: read {account.read}, imported {account.imported}, {skipped}")
    print(f"participants {result.participants}")
    for path in sorted((work / "out").iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
