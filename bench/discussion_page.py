"""Benchmark: a section's discussion page (100 comments a page) at 100 and at
1,000,000 comments, anonymous and signed in, beside the page of another
checkout (the baseline) and a plain pre-rendered-HTML join (the limit).

    .venv/bin/python bench/discussion_page.py [--sizes 100,1000000] [--runs 30]
        [--database postgres://...] [--baseline /path/to/other/checkout]

One open consultation, one section; a fifth of the comments are thread roots
and each root has four replies, so a page of 20 threads is 100 comments. The
comments are written by bulk SQL (INSERT ... SELECT), 1,000,000 in well under
a minute. Each page (first, `?sort=agreed`, the last page) is timed in a fresh
process per checkout: the first request (nothing cached) and then `--runs`
requests, CPU time of the process (which on SQLite includes the database) and
wall time, the queries of one request and its HTML size. The signed-in reader
signs in through the site's own session store, has voted on half the comments
of each page and wrote some of them.

The benchmark checks its own work and exits non-zero when it was not done:
the comments it counted are stored in the section, and every page it timed
holds the 100 comments that belong on it (read from the database), for each
checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAGES = {"first": "", "agreed": "?sort=agreed", "last": "?page=last"}
PAGE_THREADS = 20
BODY = (
    "Comment {n}. The crossing by the school needs a raised table and a lower limit: "
    "at drop-off time the cars come round the corner far too fast, and the children "
    "cross between parked vans where nobody can see them. A lollipop warden on two "
    "mornings a week helped last year; a permanent change would help every day."
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", default="")
    parser.add_argument("--baseline", default="", help="another checkout to time beside this one")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        # Nothing of this checkout is imported first: the child times the other's code.
        return measure_child(json.loads(args.measure))
    from common import ROOT, setup_django

    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}")
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    # One key for every checkout timed: a session signed by one is valid in the other.
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    setup_django()
    from django.db import connection

    world = build_world()
    print(f"database: {connection.vendor}; {args.runs} timed requests a page, after a first one")
    checkouts = [("this", ROOT)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
    print(
        "| comments | page | code | reader | first ms CPU | median ms CPU | p95 ms CPU "
        "| median ms wall | queries | KiB |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
    total, failures = 0, 0
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        add_comments(world, size - total)
        total = size
        built = time.perf_counter() - started
        failures += check_stored(world, total)
        print(f"<!-- {total:,} comments stored and checked; written in {built:.1f} s -->")
        expected = {name: page_ids(world, name) for name in PAGES}
        limit_table(world, expected)
        for name, query in PAGES.items():
            for code, root in checkouts:
                for reader in ("anonymous", "signed in"):
                    job = {
                        "root": str(root),
                        "database": os.environ["DATABASE_URL"],
                        "url": world["url"] + query,
                        "runs": args.runs,
                        "cookie": world["cookie"] if reader == "signed in" else "",
                        "expected": expected[name],
                    }
                    result = run_child(root, job)
                    failures += not result["ok"]
                    print(row(total, name, code, reader, result))
            limit = measure_limit(world, name, expected[name], args.runs)
            print(f"| {total:,} | {name} | limit | (join) | | {limit:.2f} | | | 3 | |")
    if failures:
        print(f"FAILED: {failures} checks did not hold", file=sys.stderr)
        return 1
    return 0


def row(total: int, name: str, code: str, reader: str, r: dict) -> str:
    flag = "" if r["ok"] else " **WRONG PAGE**"
    return (
        f"| {total:,} | {name} | {code} | {reader} | {r['first_cpu']:.1f} | {r['cpu']:.1f} "
        f"| {r['p95_cpu']:.1f} | {r['wall']:.1f} | {r['queries']} | {r['kib']:.0f}{flag} |"
    )


def build_world() -> dict:
    from importlib import import_module

    from common import ministry_consultation
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from consult.accounts.models import User

    proposal = ministry_consultation(title="Busy", password="x" * 20)
    section = proposal.sections.get()
    reader = User.objects.create_user("reader@example.org", "x" * 20, display_name="Reader")
    User.objects.bulk_create(
        User(email=f"citizen{i}@example.org", display_name=f"Citizen {i}") for i in range(200)
    )
    authors = list(
        User.objects.filter(email__startswith="citizen").order_by("pk").values_list("pk", flat=True)
    )
    # The authors' ids follow each other: the bulk SQL picks one by arithmetic.
    assert authors == list(range(reader.pk + 1, reader.pk + 201)), "authors' ids not contiguous"
    # Signed in through the site's own session store, as a browser would be.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(reader.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    store.create()
    return {
        "proposal": proposal,
        "section": section,
        "reader": reader,
        "authors": [reader.pk, *authors],
        "url": f"{proposal.get_absolute_url()}sections/{section.pk}/",
        "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
        "written": 0,
    }


def add_comments(world: dict, count: int) -> None:
    """`count` comments by bulk SQL: a fifth roots, four replies to each."""
    from django.db import connection, transaction

    roots = count // 5
    start = world["written"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _insert_roots_sql(connection.vendor), _params(world, start, roots, connection.vendor)
        )
        cursor.execute(
            "UPDATE discussion_comment SET root_id = id WHERE root_id IS NULL AND depth = 0"
        )
        cursor.execute(_insert_replies_sql(connection.vendor), [])
        cursor.execute(
            "UPDATE discussion_comment SET reply_count = 4 WHERE depth = 0 AND reply_count = 0"
        )
        # The reader's votes on half of what they may vote on (not their own).
        cursor.execute(
            "INSERT INTO discussion_commentvote (comment_id, user_id, value, created_at, "
            "updated_at) SELECT id, %s, 'agree', created_at, created_at FROM discussion_comment "
            "WHERE id > (SELECT COALESCE(MAX(comment_id), 0) FROM discussion_commentvote) "
            "AND id %% 2 = 0 AND author_id <> %s",
            [world["reader"].pk, world["reader"].pk],
        )
    world["written"] = start + roots
    if connection.vendor == "postgresql":
        # What autovacuum does after a load this size, before the pages are
        # timed: without it the first pages are planned from empty statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


COLUMNS = (
    "proposal_id, section_id, depth, author_id, body, body_html, created_at, is_deleted, "
    "hidden_reason, hidden_pending_review, hidden_category, held_reasons, reply_count, "
    "agree_count, disagree_count, pass_count"
)


def _params(world: dict, start: int, roots: int, vendor: str) -> list:
    first, n = world["authors"][0], len(world["authors"])
    place = [world["proposal"].pk, world["section"].pk, first, n]
    numbers = [start, start + roots]
    # The numbers come first in SQLite's WITH, last in PostgreSQL's FROM.
    return numbers + place if vendor == "sqlite" else place + numbers


def _insert_roots_sql(vendor: str) -> str:
    # One root a second from 2026-01-01 with a microsecond part that is never
    # zero (the form Django writes); counts spread so that every sort differs.
    body = BODY.replace("{n}", "' || i || '")
    if vendor == "sqlite":
        numbers = (
            "WITH RECURSIVE n(i) AS (SELECT %s + 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
        )
        moment = (
            "strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2026-01-01', '+' || i || ' seconds') || '.' "
            "|| substr('000000' || ((i * 7919) %% 999999 + 1), -6)"
        )
        source = "FROM n"
    else:
        numbers = ""
        moment = (
            "timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' "
            "+ ((i * 7919) %% 999999 + 1) * interval '1 microsecond'"
        )
        source = "FROM generate_series(%s + 1, %s) AS i"
    return (
        f"{numbers}INSERT INTO discussion_comment ({COLUMNS}) "
        f"SELECT %s, %s, 0, %s + (i %% %s), "
        f"'{body}', '<p>{body}</p>', {moment}, false, '', false, '', '[]', 0, "
        f"(i * 37) %% 50, (i * 11) %% 20, i %% 5 {source}"
    )


def _insert_replies_sql(vendor: str) -> str:
    seconds = (
        "strftime('%%Y-%%m-%%d %%H:%%M:%%S', r.created_at, '+' || k || ' seconds') || "
        "substr(r.created_at, 20)"
        if vendor == "sqlite"
        else "r.created_at + k * interval '1 second'"
    )
    four = "(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS four"
    return (
        f"INSERT INTO discussion_comment ({COLUMNS}, parent_id, root_id) "  # noqa: S608 - ours
        f"SELECT r.proposal_id, r.section_id, 1, r.author_id, 'A reply. ' || r.body, "
        f"'<p>A reply. ' || substr(r.body_html, 4), {seconds}, false, '', false, '', '[]', 0, "
        f"(r.id * k) %% 7, k %% 3, 0, r.id, r.id FROM discussion_comment r CROSS JOIN {four} "
        "WHERE r.depth = 0 AND r.reply_count = 0"
    )


def check_stored(world: dict, total: int) -> int:
    from discussion.models import Comment

    here = Comment.objects.filter(proposal=world["proposal"], section=world["section"])
    stored, roots = here.count(), here.filter(depth=0).count()
    orphans = here.filter(depth=1).exclude(root__depth=0).count()
    if stored != total or roots != total // 5 or orphans:
        print(
            f"FAILED: counted {total:,} comments ({total // 5:,} threads), stored {stored:,} "
            f"({roots:,} threads, {orphans} replies without their thread)",
            file=sys.stderr,
        )
        return 1
    return 0


def page_ids(world: dict, name: str) -> list[int]:
    """The 100 comments that belong on a page, read from the database."""
    from discussion.models import Comment

    roots = Comment.objects.filter(proposal=world["proposal"], section=world["section"], depth=0)
    if name == "first":
        chosen = list(roots.order_by("created_at", "pk").values_list("pk", flat=True)[:20])
    elif name == "agreed":
        order = ("-agree_count", "-created_at", "-pk")
        chosen = list(roots.order_by(*order).values_list("pk", flat=True)[:20])
    else:
        chosen = list(roots.order_by("-created_at", "-pk").values_list("pk", flat=True)[:20])
    replies = Comment.objects.filter(root_id__in=chosen, depth__gt=0).values_list("pk", flat=True)
    return sorted([*chosen, *replies])


def limit_table(world: dict, expected: dict[str, list[int]]) -> None:
    """The limit: each timed comment's finished HTML in a table of its own."""
    from django.db import connection

    from discussion.models import Comment

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_fragment (comment_id integer PRIMARY KEY, html text)"
        )
        cursor.execute("DELETE FROM bench_fragment")
        ids = sorted({pk for page in expected.values() for pk in page})
        bodies = dict(Comment.objects.filter(pk__in=ids).values_list("pk", "body_html"))
        cursor.executemany(
            "INSERT INTO bench_fragment (comment_id, html) VALUES (%s, %s)",
            [
                (pk, f'<article class="comment" id="comment-{pk}">{bodies[pk]}</article>')
                for pk in ids
            ],
        )


def measure_limit(world: dict, name: str, expected: list[int], runs: int) -> float:
    """The page's comments as one join of stored HTML, read by the sort's index:
    the threads, then their replies, each with its HTML."""
    from django.db import connection

    order = {
        "first": "created_at, id",
        "agreed": "agree_count DESC, created_at DESC, id DESC",
        "last": "created_at DESC, id DESC",
    }[name]
    roots_sql = (
        "SELECT id FROM discussion_comment WHERE proposal_id = %s AND section_id = %s "  # noqa: S608
        f"AND depth = 0 ORDER BY {order} LIMIT 20"
    )
    timings = []
    for _ in range(runs + 1):
        start = time.process_time()
        with connection.cursor() as cursor:
            cursor.execute(roots_sql, [world["proposal"].pk, world["section"].pk])
            roots = [r[0] for r in cursor.fetchall()]
            marks = ", ".join(["%s"] * len(roots))
            cursor.execute(
                "SELECT c.id, f.html FROM discussion_comment c JOIN bench_fragment f "  # noqa: S608
                f"ON f.comment_id = c.id WHERE c.root_id IN ({marks}) ORDER BY c.created_at",
                roots,
            )
            rows = cursor.fetchall()
        html = "".join(h for _pk, h in rows)
        timings.append((time.process_time() - start) * 1000)
        if sorted(pk for pk, _h in rows) != expected or not html:
            raise SystemExit(f"FAILED: the limit's join of {name} did not read its page")
    return statistics.median(timings[1:])


def run_child(root: Path, job: dict) -> dict:
    python = root / ".venv" / "bin" / "python"
    child = subprocess.run(  # noqa: S603 - this benchmark, in a checkout's own interpreter
        [str(python), str(Path(__file__).resolve()), "--measure", json.dumps(job)],
        cwd=root,
        env={**os.environ, "DATABASE_URL": job["database"]},
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(f"FAILED: the measuring process in {root}:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def measure_child(job: dict) -> int:
    """In a fresh process of one checkout: time one page for one reader."""
    import re

    sys.path.insert(0, job["root"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    headers = {"HTTP_COOKIE": job["cookie"]} if job["cookie"] else {}
    client = Client(HTTP_HOST="127.0.0.1", **headers)

    def get() -> tuple[float, float, bytes]:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(job["url"])
        assert response.status_code == 200, response.status_code
        return (
            (time.process_time() - cpu) * 1000,
            (time.perf_counter() - wall) * 1000,
            response.content,
        )

    first_cpu, _wall, html = get()
    cpus, walls = [], []
    for _ in range(job["runs"]):
        cpu, wall, html = get()
        cpus.append(cpu)
        walls.append(wall)
    executed = []
    with connection.execute_wrapper(
        lambda ex, sql, p, m, c: executed.append(sql) or ex(sql, p, m, c)
    ):
        get()
    shown = sorted(
        int(pk) for pk in re.findall(rb'<article class="comment[^"]*" id="comment-(\d+)"', html)
    )
    signed_in = b'name="value" value="agree"' in html
    cpus.sort()
    print(
        json.dumps(
            {
                "first_cpu": first_cpu,
                "cpu": statistics.median(cpus),
                "p95_cpu": cpus[min(len(cpus) - 1, round(0.95 * (len(cpus) - 1)))],
                "wall": statistics.median(walls),
                "queries": len(executed),
                "kib": len(html) / 1024,
                "ok": shown == job["expected"] and signed_in == bool(job["cookie"]),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
