"""Benchmark: a large Polis export imported, then exported again.

    .venv/bin/python bench/polis.py [--comments 100000] [--votes 1000000] [--voters 10000]

Writes a generated Polis export (votes spread over --voters voters, older
comments drawing more votes; a tenth of the rows are pass votes and a
hundredth are later changes of an earlier vote), imports it into a
throwaway SQLite database with consult.opendata.polis.imports.import_dir, and
exports the archive again with export_dir. Reports the wall time of each
step, the peak resident memory of this process (ru_maxrss) and the sizes of
the files written, beside the floor of the import in the same run: the same
number of bare vote rows inserted into a table of their own with
executemany, in one transaction.

Checked, or the run fails (exit 1), against what was generated: the
importer's account (comments imported; vote rows read, the authors' own
votes and the superseded ones skipped, the rest stored); the database (every
comment stored, and every vote, by value); and the export read back (as many
comments, the same votes by value, one row per participant). Results:
docs/benchmarks.md and docs/open-data-polis.md.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from common import check, print_load, run_checked, setup_django

START = 1_700_000_000


def generate(folder: Path, n_comments: int, n_votes: int, n_voters: int, seed: int = 1) -> dict:
    """Write comments.csv and votes.csv; return what the import must make of them."""
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
    return expected(authors, times, tids, pids, values)


def expected(authors, times, tids, pids, values) -> dict:
    """Polis's rule: a participant's latest vote on a comment counts (the later
    line on a tie); the import leaves out the authors' votes on their own."""
    own = pids == authors[tids]
    order = np.lexsort((np.arange(len(tids)), times))  # by time, then by line
    latest: dict[tuple[int, int], int] = {}
    for i in order[~own[order]].tolist():
        latest[int(pids[i]), int(tids[i])] = int(values[i])
    return {
        "comments": len(authors),
        "rows": len(tids),
        "own_comment": int(own.sum()),
        "superseded": int((~own).sum()) - len(latest),
        "stored": len(latest),
        "values": Counter(latest.values()),
        "participants": len(set(authors.tolist()) | set(pids.tolist())),
        "voters": len({pid for pid, _tid in latest}),
        "votes": [(pid, tid, value) for (pid, tid), value in latest.items()],
    }


def check_import(result, wanted: dict) -> None:
    """The importer's account and the database, against what was generated."""
    from consult.opendata.polis.formats import VOTE_CODES
    from discussion.models import Comment, CommentVote

    comments, votes = result.files
    skipped = {reason: s.count for reason, s in votes.skipped.items() if s.count}
    account = (comments.imported, votes.read, votes.imported, skipped, result.participants)
    should = {"own_comment": wanted["own_comment"], "superseded": wanted["superseded"]}
    should = {reason: n for reason, n in should.items() if n}
    check(
        account
        == (wanted["comments"], wanted["rows"], wanted["stored"], should, wanted["participants"]),
        f"the importer's account (comments, vote rows, votes stored, skipped, participants) "
        f"{account} is not what was generated",
    )
    stored = Comment.objects.filter(proposal=result.proposal).count()
    check(stored == wanted["comments"], f"{stored} comments stored, {wanted['comments']} sent")
    values = CommentVote.objects.filter(comment__proposal=result.proposal).values_list(
        "value", flat=True
    )
    by_value = Counter(VOTE_CODES[value] for value in values.iterator(chunk_size=20_000))
    check(
        by_value == wanted["values"],
        f"votes stored by value {dict(by_value)}, generated {dict(wanted['values'])}",
    )


def check_export(folder: Path, wanted: dict) -> str:
    """The export read back: its comments, its votes by value, its participants."""
    with (folder / "comments.csv").open(newline="") as file:
        comments = sum(1 for _ in csv.reader(file)) - 1
    with (folder / "votes.csv").open(newline="") as file:
        reader = csv.DictReader(file)
        by_value = Counter(int(row["vote"]) for row in reader)
    with (folder / "participants-votes.csv").open(newline="") as file:
        participants = sum(1 for _ in file) - 1
    check(comments == wanted["comments"], f"the export has {comments} comments")
    check(
        participants == wanted["voters"],
        f"participants-votes.csv has {participants} rows, {wanted['voters']} voters",
    )
    check(
        by_value == wanted["values"],
        f"the export's votes by value {dict(by_value)}, generated {dict(wanted['values'])}",
    )
    return (
        f"import and export hold the {wanted['comments']:,} comments and the "
        f"{wanted['stored']:,} votes generated (by value: {dict(wanted['values'])}); "
        f"{wanted['own_comment']:,} votes on the voter's own comment and "
        f"{wanted['superseded']:,} superseded ones skipped; "
        f"one row per voter in participants-votes.csv ({participants:,})"
    )


def floor(votes: list[tuple[int, int, int]]) -> float:
    """Seconds to insert the votes as bare rows (voter, comment, value, time)
    into a table of their own with executemany, in one transaction."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor (voter integer, comment integer, value smallint, "
            "created timestamp)"
        )
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_floor VALUES (%s, %s, %s, %s)",
            [(pid, tid, value, "2026-12-07 00:00:00") for pid, tid, value in votes],
        )
    seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--voters", type=int, default=10_000)
    args = parser.parse_args(argv)
    print_load("polis")
    setup_django()
    from consult.accounts.models import Department, Jurisdiction
    from consult.opendata.polis.export import export_dir
    from consult.opendata.polis.imports import import_dir

    work = Path(tempfile.mkdtemp(prefix="consult-polis-"))
    t0 = time.perf_counter()
    wanted = generate(work / "in", args.comments, args.votes, args.voters)
    t1 = time.perf_counter()
    nation = Jurisdiction.objects.create(name="Nation", slug="nation", level="national")
    department = Department.objects.create(name="Ministry", slug="ministry", jurisdiction=nation)
    result = import_dir(work / "in", department=department)
    t2 = time.perf_counter()
    export_dir(result.proposal, work / "out")
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_seconds = floor(wanted["votes"])
    print(f"generate {t1 - t0:.1f} s, import {t2 - t1:.1f} s, export {t3 - t2:.1f} s")
    print(f"baseline: {len(wanted['votes']):,} bare vote rows inserted in {floor_seconds:.1f} s")
    print(f"peak RSS {rss:.0f} MB")
    for account in result.files:
        skipped = {reason: s.count for reason, s in account.skipped.items()}
        print(f"{account.name}: read {account.read}, imported {account.imported}, {skipped}")
    print(f"participants {result.participants}")
    for path in sorted((work / "out").iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")
    check_import(result, wanted)
    print(f"Checked: {check_export(work / 'out', wanted)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_checked(main))
