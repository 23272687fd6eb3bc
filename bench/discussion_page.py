"""Benchmark: a section's discussion page at 100, 1,000 and 10,000 comments.

    .venv/bin/python bench/discussion_page.py [--runs 15]

One open consultation; comments are a fifth thread roots and the rest
replies. Reports the page's median and p95 time, its queries and the peak
Python memory of one request, at each size. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="consult-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()
    from browse import measure
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    url, add = build()
    print(f"section discussion page; {args.runs} runs each")
    print("| comments | median ms | p95 ms | queries | peak KiB |")
    print("|---:|---:|---:|---:|---:|")
    total = 0
    for size in (100, 1_000, 10_000):
        add(size - total)
        total = size
        median, p95, queries, peak = measure(url, args.runs)
        print(f"| {size:,} | {median:.1f} | {p95:.1f} | {queries} | {peak:,} |")
    return 0


def build():
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from consult.accounts import services as account_services
    from consult.accounts.models import Role, User
    from discussion.models import Comment
    from proposals import services as proposal_services

    nation = account_services.jurisdiction_create(
        actor=None, name="Nation", slug="nation", level="national"
    )
    ministry = account_services.department_create(
        actor=None, name="Ministry", slug="ministry", jurisdiction=nation
    )
    official = User.objects.create_user("official@example.org", "x" * 20, display_name="Official")
    account_services.membership_grant(
        actor=None, user=official, department=ministry, role=Role.OFFICIAL
    )
    proposal = proposal_services.proposal_create(
        actor=official,
        department=ministry,
        jurisdiction=nation,
        title="Busy",
        summary="Many comments",
    )
    section = proposal_services.section_add(
        actor=official, proposal=proposal, heading="Text", body="Body"
    )
    proposal_services.version_publish(actor=official, proposal=proposal, change_note="v1")
    now = timezone.now()
    proposal_services.proposal_schedule(
        actor=official,
        proposal=proposal,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    author = User.objects.create_user("citizen@example.org", "x" * 20, display_name="Citizen")

    def add(n: int) -> None:
        roots = Comment.objects.bulk_create(
            Comment(
                proposal=proposal,
                section=section,
                author=author,
                body="root",
                body_html="<p>root</p>",
            )
            for _ in range(n // 5)
        )
        Comment.objects.filter(pk__in=[r.pk for r in roots]).update(root_id=F("pk"))
        Comment.objects.bulk_create(
            Comment(
                proposal=proposal,
                section=section,
                author=author,
                parent=roots[i % len(roots)],
                root_id=roots[i % len(roots)].pk,
                depth=1,
                body="reply",
                body_html="<p>reply</p>",
            )
            for i in range(n - n // 5)
        )

    return f"{proposal.get_absolute_url()}sections/{section.pk}/", add


if __name__ == "__main__":
    raise SystemExit(main())
