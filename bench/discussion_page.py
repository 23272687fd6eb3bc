"""Benchmark: a section's discussion page at 100, 1,000 and 10,000 comments.

    .venv/bin/python bench/discussion_page.py [--runs 15]

One open consultation; comments are a fifth thread roots and the rest
replies. Reports the page's median and p95 time, its queries and the peak
Python memory of one request, at each size. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse

from common import ministry_consultation, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    from browse import measure

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
    from consult.accounts.models import User
    from consult.testing.data import bulk_comments

    proposal = ministry_consultation(title="Busy", password="x" * 20)
    section = proposal.sections.get()
    author = User.objects.create_user("citizen@example.org", "x" * 20, display_name="Citizen")

    def add(n: int) -> None:
        bulk_comments(proposal=proposal, section=section, author=author, count=n)

    return f"{proposal.get_absolute_url()}sections/{section.pk}/", add


if __name__ == "__main__":
    raise SystemExit(main())
