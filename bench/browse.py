"""Benchmark: browsing, searching and reading consultations at scale.

    .venv/bin/python bench/browse.py [--proposals 2000] [--stances 20000] [--runs 15]

Builds a throwaway database (SQLite by default, or DATABASE_URL), fills it in
bulk, then requests each page through Django's test client and reports the
median and 95th-percentile time, the SQL query count and the peak Python
memory of one request. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

from common import setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--sections", type=int, default=8)
    parser.add_argument("--stances", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--explain", action="store_true", help="Print the plan of the search query."
    )
    args = parser.parse_args()

    setup_django()
    target = build(args.proposals, args.sections, args.stances)
    if args.explain:
        explain()
    pages = {
        "home": "/",
        "list, page 1": "/consultations/",
        "list, page 50": "/consultations/?page=50",
        "list, filtered": "/consultations/?status=open&department=city&sort=deadline",
        "search, English": "/consultations/?q=school+streets",
        "search, Chinese": "/consultations/?q=%E5%85%AC%E4%BA%A4",
        f"proposal page ({args.stances:,} stances)": target,
    }
    print(
        f"{args.proposals:,} proposals x {args.sections} sections, "
        f"{args.stances:,} stances on one; {args.runs} runs each"
    )
    print("| page | median ms | p95 ms | queries | peak KiB |")
    print("|---|---:|---:|---:|---:|")
    for name, url in pages.items():
        median, p95, queries, peak = measure(url, args.runs)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} | {peak:,} |")
    return 0


def build(n_proposals: int, n_sections: int, n_stances: int) -> str:
    from django.utils import timezone

    from consult.accounts import services as account_services
    from consult.accounts.models import User
    from proposals.models import (
        Proposal,
        ProposalVersion,
        Section,
        SectionStance,
        SectionVersion,
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
    words = [
        "school streets",
        "rental deposits",
        "公交专用道",
        "street trees",
        "cycle parking",
        "empty homes",
    ]
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
    SectionStance.objects.bulk_create(
        SectionStance(
            section=s,
            proposal=target,
            user=u,
            value=("support", "oppose", "neutral")[(u.pk + s.pk) % 3],
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
    return target.get_absolute_url()


def explain() -> None:
    from proposals.selectors import Browse, proposal_list_public

    print(proposal_list_public(Browse(q="school streets")).explain(analyze=True))


def measure(url: str, runs: int) -> tuple[float, float, int, int]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    # As Django's own test runner does: keep one connection, so that the
    # timings do not include reconnecting and the query capture sees every query.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(url).status_code == 200  # warm caches and templates
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
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
    return statistics.median(timings), p95, len(executed), peak


if __name__ == "__main__":
    raise SystemExit(main())
