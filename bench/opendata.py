"""Benchmark: the site-wide open-data ZIP of a large consultation.

    .venv/bin/python bench/opendata.py [--comments 100000] [--votes 1000000] [--runs 2]

Builds a throwaway SQLite database (or uses DATABASE_URL) holding the same
consultation as bench/summary.py (its `populate`: 100,000 comments, 1,000,000
votes by 20,000 people, stances on the proposal and ten sections, theme tags
and 300 official responses), with 1% of the comments hidden by a moderator
and 0.5% held for review so that the public filters have work to do. Then,
in a fresh process per run, it does what the background task does
(consult.opendata.builds.data_file_build for the site's file: the
fingerprint, every table as CSV and JSON into a ZIP, the SHA-256 and the
rename) and reports the wall time of each step, the ZIP's size and the peak
resident memory of that process (VmHWM: Python and Django included). It
also times the fingerprint alone: what the worker's check of the data costs,
at most once every CONSULT_OPENDATA_CHECK_SECONDS per file while people
download it.

Checked, or the run fails (exit 1): every CSV file of each run's ZIP, read
back as CSV, holds as many rows as its datapackage.json says, and the main
ones as many as the database holds, counted without the open-data code (the
public comments, the votes on them, the sections, the official responses;
with --consultation, the Polis files' comments, votes and voters).

Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import (
    check,
    consultation_arguments,
    measure_in_children,
    print_load,
    run_checked,
    setup_django_on,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb(field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process. Not
    ru_maxrss: it survives exec, so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def moderate(proposal_id: int) -> dict:
    """Hide 1% of the comments and hold 0.5%, as moderators and rules would."""
    from django.db import connection
    from django.utils import timezone

    from discussion.models import Comment

    ids = list(Comment.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True))
    hidden, held = ids[::100], ids[50::200]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        update_comments(cursor, "hidden_at = %s, hidden_category = 'spam'", [now], hidden)
        update_comments(cursor, "held_at = %s", [now], held)
    return {"hidden": len(hidden), "held": len(held)}


def update_comments(cursor, assignments: str, values: list, ids: list[int]) -> None:
    """SET `assignments` (with `values`) on the comments `ids`, 500 at a time."""
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        cursor.execute(
            f"UPDATE discussion_comment SET {assignments} "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(part))})",
            [*values, *part],
        )


def measure(consultation: bool = False) -> dict:
    """Build the site's file (or the consultation's, with its Polis export)
    as the task does; this process does nothing else."""
    from django.conf import settings

    from consult.opendata import builds, bulk, fingerprint, public, services
    from consult.opendata.models import DataFile

    began_rss = rss_mb("VmRSS")
    proposals = list(public.proposals().order_by("pk"))
    started = time.perf_counter()
    fingerprint.fingerprint(proposals)
    fingerprint_seconds = time.perf_counter() - started

    tables: dict[str, float] = {}
    write_table = bulk.write_table

    def timed(archive, table, rows):
        began = time.perf_counter()
        count = write_table(archive, table, rows)
        tables[table.name] = round(time.perf_counter() - began, 2)
        return count

    bulk.write_table = timed
    file = services.data_file_for(proposal=proposals[0] if consultation else None)
    # Built from scratch, as if the data had changed since the last run.
    DataFile.objects.filter(pk=file.pk).update(
        state="queued", attempt=file.attempt + 1, fingerprint=""
    )
    started = time.perf_counter()
    built = builds.data_file_build(file_id=file.pk, attempt=file.attempt + 1)
    seconds = time.perf_counter() - started
    assert built.state == "ready", built.error
    # And checked again, the data unchanged: the fingerprint, nothing written.
    DataFile.objects.filter(pk=file.pk).update(state="queued", attempt=built.attempt + 1)
    started = time.perf_counter()
    checked = builds.data_file_build(file_id=file.pk, attempt=built.attempt + 1)
    check_seconds = time.perf_counter() - started
    assert checked.built_at == built.built_at
    peak_rss = rss_mb()  # before the ZIP is read back for the check below
    package_rows = {}
    import zipfile

    path = builds.folder() / built.path
    with zipfile.ZipFile(path) as archive:
        package = json.loads(archive.read("datapackage.json"))
        package_rows = {r["name"]: r["count"] for r in package["resources"] if "count" in r}
        paths = {r["name"]: r["path"] for r in package["resources"] if "path" in r}
        unpacked = sum(info.file_size for info in archive.infolist())
        csv_rows = {name: csv_row_count(archive, name) for name in archive.namelist()}
    return {
        "seconds": round(seconds, 2),
        "fingerprint_seconds": round(fingerprint_seconds, 2),
        "check_seconds": round(check_seconds, 2),
        "tables": tables,
        "zip_mb": round(built.size / 2**20, 1),
        "unpacked_mb": round(unpacked / 2**20, 1),
        "rows": {k: v for k, v in package_rows.items() if not k.endswith("-json")},
        "package_paths": paths,
        "csv_rows": {k: v for k, v in csv_rows.items() if v is not None},
        "rss_before_mb": began_rss,
        "peak_rss_mb": peak_rss,
        "media": str(settings.MEDIA_ROOT),
    }


def stored_rows(proposal_id: int, moderated: dict, consultation: bool) -> dict[str, int]:
    """What the ZIP's CSV files must hold, counted in the database without the
    open-data code: the public comments (neither deleted, hidden nor held),
    the votes on them, the sections, the official responses; in the Polis
    files also the hidden comments (as moderated out) and one row per voter."""
    from discussion.models import Comment, CommentVote, OfficialResponse
    from proposals.models import SectionVersion

    comments = Comment.objects.filter(proposal_id=proposal_id, is_deleted=False)
    public = comments.filter(hidden_at__isnull=True, held_at__isnull=True)
    total = Comment.objects.filter(proposal_id=proposal_id).count()
    check(
        public.count() == total - moderated["hidden"] - moderated["held"],
        f"{public.count()} public comments of {total}, with {moderated} moderated",
    )
    votes = CommentVote.objects.filter(comment__in=public)
    rows = {
        "consultations.csv": 1,
        "sections.csv": SectionVersion.objects.filter(version__proposal_id=proposal_id).count(),
        "comments.csv": public.count(),
        "votes.csv": votes.count(),
        "responses.csv": OfficialResponse.objects.filter(proposal_id=proposal_id).count(),
    }
    if consultation:
        rows["polis/comments.csv"] = comments.filter(held_at__isnull=True).count()
        rows["polis/votes.csv"] = rows["votes.csv"]
        rows["polis/participants-votes.csv"] = votes.values("user_id").distinct().count()
    return rows


def rows_as_stored(proposal_id: int, moderated: dict, runs: list[dict], consultation: bool) -> str:
    """Each run's ZIP against the database, and against its own datapackage.json."""
    wanted = stored_rows(proposal_id, moderated, consultation)
    for n, run in enumerate(runs, 1):
        found = run["csv_rows"]
        for name, count in wanted.items():
            check(
                found.get(name) == count,
                f"run {n}: {name} holds {found.get(name)} rows, the database {count:,}",
            )
        for name, count in run["rows"].items():
            path = run["package_paths"][name]
            check(
                found.get(path) == count,
                f"run {n}: datapackage.json gives {path} {count:,} rows, it has {found.get(path)}",
            )
    return (
        "each run's ZIP holds the rows the database holds ("
        + ", ".join(f"{name} {count:,}" for name, count in wanted.items())
        + ") and the counts its datapackage.json gives"
    )


def csv_row_count(archive, name: str) -> int | None:
    """The data rows of a CSV entry of the ZIP, read as CSV (a comment's text
    may hold line breaks); None for other entries."""
    import csv
    import io

    if not name.endswith(".csv"):
        return None
    with archive.open(name) as raw:
        return sum(1 for _ in csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig"))) - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    consultation_arguments(parser, share=False)
    parser.add_argument(
        "--consultation",
        action="store_true",
        help="the consultation's own ZIP, which also holds its Polis export",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database = os.environ.get("DATABASE_URL")
    if args.measure:
        setup_django_on(database)
        print(json.dumps(measure(consultation=args.consultation)))
        return 0
    print_load("opendata" + (" --consultation" if args.consultation else ""))
    folder = tempfile.mkdtemp(prefix="consult-bench-")
    if not database:
        database = f"sqlite:///{folder}/opendata.sqlite3"
    os.environ.setdefault("MEDIA_ROOT", f"{folder}/media")
    setup_django_on(database)
    # Here, not at the top: the measuring children do without summary.py's NumPy.
    from summary import populate

    began = time.perf_counter()
    proposal_id = populate(comments=args.comments, votes=args.votes, share=0.2, seed=args.seed)
    moderated = moderate(proposal_id)
    print(f"populated in {time.perf_counter() - began:.0f} s ({moderated})", file=sys.stderr)
    runs = measure_in_children(
        __file__,
        ["--consultation"] if args.consultation else [],
        database=database,
        runs=args.runs,
    )
    print(
        "| run | build (s) | fingerprint (s) | check, unchanged (s) | ZIP (MB) | unpacked (MB) "
        "| RSS before (MB) | peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n, run in enumerate(runs, 1):
        print(
            f"| {n} | {run['seconds']} | {run['fingerprint_seconds']} | {run['check_seconds']} "
            f"| {run['zip_mb']} "
            f"| {run['unpacked_mb']} | {run['rss_before_mb']} | {run['peak_rss_mb']} |"
        )
    print()
    print("Rows:", json.dumps(runs[-1]["rows"]))
    print(f"Checked: {rows_as_stored(proposal_id, moderated, runs, args.consultation)}")
    print("Seconds per table (CSV and JSON) of the last run:", json.dumps(runs[-1]["tables"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(run_checked(main))
