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


def setup(database: str) -> None:
    """Django on the benchmark's database, without bench/summary.py's NumPy."""
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("REDIS_URL", "")
    os.environ.setdefault("TASK_BACKEND", "immediate")
    from common import placeholder_settings

    placeholder_settings()
    import django

    django.setup()


def moderate(proposal_id: int) -> dict:
    """Hide 1% of the comments and hold 0.5%, as moderators and rules would."""
    from django.db import connection
    from django.utils import timezone

    from discussion.models import Comment

    ids = list(Comment.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True))
    hidden, held = ids[::100], ids[50::200]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for chunk in range(0, len(hidden), 500):
            part = hidden[chunk : chunk + 500]
            cursor.execute(
                "UPDATE discussion_comment SET hidden_at = %s, hidden_category = 'spam' "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(part))})",
                [now, *part],
            )
        for chunk in range(0, len(held), 500):
            part = held[chunk : chunk + 500]
            cursor.execute(
                "UPDATE discussion_comment SET held_at = %s "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(part))})",
                [now, *part],
            )
    return {"hidden": len(hidden), "held": len(held)}


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
    package_rows = {}
    import zipfile

    path = builds.folder() / built.path
    with zipfile.ZipFile(path) as archive:
        package = json.loads(archive.read("datapackage.json"))
        package_rows = {r["name"]: r["count"] for r in package["resources"] if "count" in r}
        unpacked = sum(info.file_size for info in archive.infolist())
    return {
        "seconds": round(seconds, 2),
        "fingerprint_seconds": round(fingerprint_seconds, 2),
        "check_seconds": round(check_seconds, 2),
        "tables": tables,
        "zip_mb": round(built.size / 2**20, 1),
        "unpacked_mb": round(unpacked / 2**20, 1),
        "rows": {k: v for k, v in package_rows.items() if not k.endswith("-json")},
        "rss_before_mb": began_rss,
        "peak_rss_mb": rss_mb(),
        "media": str(settings.MEDIA_ROOT),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--consultation",
        action="store_true",
        help="the consultation's own ZIP, which also holds its Polis export",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL")
    if args.measure:
        setup(database)
        print(json.dumps(measure(consultation=args.consultation)))
        return 0
    folder = tempfile.mkdtemp(prefix="consult-bench-")
    if not database:
        database = f"sqlite:///{folder}/opendata.sqlite3"
    os.environ.setdefault("MEDIA_ROOT", f"{folder}/media")
    setup(database)
    from summary import populate

    began = time.perf_counter()
    proposal_id = populate(comments=args.comments, votes=args.votes, share=0.2, seed=args.seed)
    moderated = moderate(proposal_id)
    print(f"populated in {time.perf_counter() - began:.0f} s ({moderated})", file=sys.stderr)
    from common import measure_in_children

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
    print("Seconds per table (CSV and JSON) of the last run:", json.dumps(runs[-1]["tables"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
