"""Benchmark: browsing, searching and reading consultations at scale.

    .venv/bin/python bench/browse.py [--proposals 2000] [--stances 20000] [--runs 15]

Builds a throwaway database (SQLite by default, or DATABASE_URL), fills it in
bulk, then requests each page through Django's test client and reports the
median and 95th-percentile time, the median CPU time of this process (on a
shared machine, what the request itself cost: the database is in this
process for SQLite, not for PostgreSQL), the SQL query count and the peak
Python memory of one request, beside the same client's privacy page (the
cost of a page through the same middleware and base template, with no
consultation data: the floor under every page here).

Every timed request must answer 200, never a redirect or an error page, and
the page must show what the database holds: the list's count of
consultations and the consultations on it are those that the filter, worked
out here from the rows written, selects; the proposal page shows its title
and the tallies of its stances. A page that does not exits 1, saying which.
Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import tracemalloc
from dataclasses import dataclass

from common import check, print_load, run_checked, setup_django

PAGE_SIZE = 20  # proposals.views.PAGE_SIZE
WORDS = [
    "school streets",
    "rental deposits",
    "公交专用道",
    "street trees",
    "cycle parking",
    "empty homes",
]
CARD = re.compile(r'<li class="card">.*?href="/consultations/consultation-(\d+)/"', re.S)
HEAT_ROW = re.compile(r'<tr data-stance-row="(\d+)">(.*?)</tr>', re.S)
HEAT_CELL = re.compile(r'>(\d+) <span class="share">')
COUNT = re.compile(r'<p class="result-count" role="status">([\d,]+) consultations?</p>')


@dataclass
class Expected:
    """What a page must show: the proposals its filter selects (by number),
    the page of them shown, and text it must hold."""

    matches: set[int] | None = None
    page: int = 1
    text: tuple[str, ...] = ()
    tallies: dict[int, list[int]] | None = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--sections", type=int, default=8)
    parser.add_argument("--stances", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--explain", action="store_true", help="Print the plan of the search query."
    )
    args = parser.parse_args(argv)

    print_load("browse")
    setup_django()
    from django.db import connection

    target, tallies = build(args.proposals, args.sections, args.stances)
    if args.explain:
        explain()
    pages = expected_pages(args.proposals, target, tallies)
    print(
        f"{connection.vendor}; {args.proposals:,} proposals x {args.sections} sections, "
        f"{args.stances:,} stances on one; {args.runs} runs each"
    )
    print("| page | median ms | p95 ms | CPU ms | queries | peak KiB | shown as expected |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, (url, expected) in pages.items():
        median, p95, cpu, queries, peak, shown = measure(url, args.runs, expected)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {queries} | {peak:,} | {shown} |")
    return 0


def matching(n_proposals: int, test) -> set[int]:
    """The proposals (by number) whose title, summary and text, as build()
    writes them, pass `test`."""
    return {
        i
        for i in range(n_proposals)
        if test(i, WORDS[i % len(WORDS)], WORDS[(i + 1) % len(WORDS)], WORDS[(i + 2) % len(WORDS)])
    }


def expected_pages(n: int, target: str, tallies: dict) -> dict[str, tuple[str, Expected]]:
    """Each page timed, with what it must show, worked out from what build() wrote."""
    from django.db import connection

    everyone = set(range(n))
    english = matching(n, lambda i, *words: "school streets" in words)
    chinese = matching(n, lambda i, *words: "公交专用道" in words)
    if connection.vendor == "postgresql":
        # PostgreSQL finds Chinese in the bigrams of the title and text
        # (search_cjk), not in the summary, which SQLite's LIKE also reads.
        chinese = matching(n, lambda i, title, summary, text: "公交专用道" in (title, text))
    city = matching(n, lambda i, *words: i % 2 == 1)
    return {
        "baseline: the privacy page": ("/privacy/", Expected(text=("<h1",))),
        "home": ("/", Expected(text=("Consultation",))),
        "list, page 1": ("/consultations/", Expected(everyone)),
        "list, page 50": ("/consultations/?page=50", Expected(everyone, page=50)),
        "list, filtered": (
            "/consultations/?status=open&department=city&sort=deadline",
            Expected(city),
        ),
        "search, English": ("/consultations/?q=school+streets", Expected(english)),
        "search, Chinese": ("/consultations/?q=%E5%85%AC%E4%BA%A4", Expected(chinese)),
        f"proposal page ({sum(map(sum, tallies.values())):,} stances)": (
            target,
            Expected(text=("Consultation 0 on school streets",), tallies=tallies),
        ),
    }


def shown_as_expected(url: str, html: str, expected: Expected) -> str:
    """What the page shows against what it must: a short account, or a failed check."""
    for text in expected.text:
        check(text in html, f"{url}: the page does not hold {text!r}")
    if expected.tallies is not None:
        return tallies_shown(url, html, expected.tallies)
    if expected.matches is None:
        return "200" + (", " + ", ".join(repr(t) for t in expected.text) if expected.text else "")
    counted = COUNT.search(html)
    check(counted is not None, f"{url}: no count of consultations on the page")
    total = int(counted.group(1).replace(",", ""))
    wanted = len(expected.matches)
    check(total == wanted, f"{url}: the page counts {total:,} consultations, the data {wanted:,}")
    cards = [int(number) for number in CARD.findall(html)]
    pages = -(-wanted // PAGE_SIZE)
    page = min(expected.page, pages)  # past the last, the paginator shows the last
    on_page = min(PAGE_SIZE, wanted - (page - 1) * PAGE_SIZE)
    check(len(cards) == on_page, f"{url}: {len(cards)} consultations shown, {on_page} expected")
    strays = set(cards) - expected.matches
    check(not strays, f"{url}: shows consultations its filter leaves out: {sorted(strays)[:5]}")
    if pages > 1:
        where = f"Page {page} of {pages}"
        check(where in html, f"{url}: not {where}")
    return f"{total:,} found, {len(cards)} shown, all matching"


def build(n_proposals: int, n_sections: int, n_stances: int) -> tuple[str, dict[int, list[int]]]:
    from django.utils import timezone

    from consult.accounts import services as account_services
    from consult.accounts.models import User
    from proposals.models import (
        Proposal,
        ProposalVersion,
        Section,
        SectionStance,
        SectionVersion,
        StanceValue,
        Status,
    )
    from proposals.search import cjk_bigrams

    nation = account_services.jurisdiction_create(
        actor=None, name="Nation", slug="nation", level="national"
    )
    city = account_services.jurisdiction_create(
        actor=None, name="City", slug="city-j", level="city", parent=nation
    )
    ministry = account_services.department_create(
        actor=None, name="Ministry", slug="ministry", jurisdiction=nation
    )
    office = account_services.department_create(
        actor=None, name="City office", slug="city", jurisdiction=city, parent=ministry
    )
    now = timezone.now()
    words = WORDS
    proposals = Proposal.objects.bulk_create(
        Proposal(
            department=office if i % 2 else ministry,
            jurisdiction=city if i % 2 else nation,
            title=f"Consultation {i} on {words[i % len(words)]}",
            slug=f"consultation-{i}",
            summary=f"A proposal about {words[(i + 1) % len(words)]}.",
            status=Status.OPEN,
            opens_at=now - timezone.timedelta(days=1),
            closes_at=now + timezone.timedelta(days=1 + i % 60),
            search_text=f"Section text about {words[(i + 2) % len(words)]}.",
            search_cjk=cjk_bigrams(words[i % len(words)] + words[(i + 2) % len(words)]),
            activity_count=i % 97,
        )
        for i in range(n_proposals)
    )
    sections = Section.objects.bulk_create(
        Section(proposal=p, order=s, heading=f"Section {s}", body="Text " * 80)
        for p in proposals
        for s in range(n_sections)
    )
    versions = ProposalVersion.objects.bulk_create(
        ProposalVersion(proposal=p, number=1, change_note="First") for p in proposals
    )
    by_proposal = {v.proposal_id: v for v in versions}
    SectionVersion.objects.bulk_create(
        SectionVersion(
            version=by_proposal[s.proposal_id],
            section=s,
            order=s.order,
            heading=s.heading,
            body=s.body,
            body_html=f"<p>{s.body}</p>",
        )
        for s in sections
    )
    for p in proposals:
        p.current_version = by_proposal[p.pk]
    Proposal.objects.bulk_update(proposals, ["current_version"], batch_size=500)
    target = proposals[0]
    users = User.objects.bulk_create(
        User(email=f"voter{i}@example.org", display_name=f"Voter {i}", password="!")  # noqa: S106 - unusable
        for i in range(max(1, n_stances // n_sections))
    )
    target_sections = [s for s in sections if s.proposal_id == target.pk]
    values = ("support", "oppose", "neutral")
    SectionStance.objects.bulk_create(
        SectionStance(
            section=s,
            proposal=target,
            user=u,
            value=values[(u.pk + s.pk) % 3],
        )
        for u in users
        for s in target_sections
    )
    # Rows written in bulk pass by the services that keep the counts.
    from proposals.services.participation import counters_recount

    counters_recount([p.pk for p in proposals])
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would, after a bulk load
            cursor.execute("ANALYZE")
    # The heatmap's rows, from the stances as written: section -> count per value.
    tallies = {
        s.pk: [sum(1 for u in users if values[(u.pk + s.pk) % 3] == v) for v in StanceValue.values]
        for s in target_sections
    }
    return target.get_absolute_url(), tallies


def explain() -> None:
    from proposals.selectors import Browse, proposal_list_public

    print(proposal_list_public(Browse(q="school streets")).explain(analyze=True))


def measure(url: str, runs: int, expected: Expected) -> tuple[float, float, float, int, int, str]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    # As Django's own test runner does: keep one connection, so that the
    # timings do not include reconnecting and the query capture sees every query.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="127.0.0.1")
    first = answered(client, url)  # warms caches and templates
    shown = shown_as_expected(url, first.content.decode(), expected)
    timings, cpu = [], []
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        check(
            response.status_code == 200 and len(response.content) == len(first.content),
            f"{url}: answered {response.status_code} with {len(response.content):,} bytes "
            f"in a timed run, {len(first.content):,} the first time",
        )
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] // 1024
    tracemalloc.stop()
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, statistics.median(cpu), len(executed), peak, shown


def tallies_shown(url: str, html: str, tallies: dict[int, list[int]]) -> str:
    rows = {int(section): HEAT_CELL.findall(cells) for section, cells in HEAT_ROW.findall(html)}
    shown = {section: [int(count) for count in counts] for section, counts in rows.items()}
    check(
        shown == tallies,
        f"{url}: the heatmap shows {shown}, the stances written give {tallies}",
    )
    return f"title, and the {len(shown)} sections' tallies as written"


def answered(client, url: str):
    """The page, which must be itself: 200, not a redirect (to sign in) or an error."""
    response = client.get(url)
    check(
        response.status_code == 200,
        f"{url}: HTTP {response.status_code} {response.get('Location', '')}".rstrip(),
    )
    return response


if __name__ == "__main__":
    raise SystemExit(run_checked(main))
