"""Benchmark: telling many followers, and their emails, and the daily digest.

    .venv/bin/python bench/notifications.py [--followers 10000] [--digest-readers 2000]

Builds a throwaway database (SQLite by default, or DATABASE_URL) with one
open consultation and N followers with confirmed addresses, then measures,
each in the worker's own code path (tasks run in this process):

- telling every follower of a new version (`followers_notify`: one bulk
  insert) and emailing each of them (`emails_send`, rendered per person in
  their language, through Django's in-memory mail backend);
- the daily digest for M readers with three notifications each.

Reports wall time, SQL queries and the peak resident memory of the process.
Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from common import setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--digest-readers", type=int, default=2_000)
    args = parser.parse_args()
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django()

    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    proposal, official, followers = build(args.followers)
    print(f"{args.followers:,} followers; {args.digest_readers:,} digest readers x 3 notifications")
    print("| step | seconds | queries | emails | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")

    from proposals.services.followers import followers_notify

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        told = followers_notify.call(
            proposal_id=proposal.pk, kind="version", key="version:bench", actor_id=official.pk
        )
        seconds = time.perf_counter() - started
    assert told == args.followers, told
    row("tell followers and email each", seconds, len(queries), len(mail.outbox))

    readers = followers[: args.digest_readers]
    prepare_digest(readers)
    from consult.notifications.tasks import digests_send

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = digests_send.call()
        seconds = time.perf_counter() - started
    assert sent == len(readers), sent
    row("daily digests", seconds, len(queries), len(mail.outbox))
    return 0


def row(name: str, seconds: float, queries: int, emails: int) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {name} | {seconds:.1f} | {queries:,} | {emails:,} | {peak:.0f} |")


def build(n_followers: int):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from consult.accounts import services as account_services
    from consult.accounts.models import Membership, Role, User
    from proposals.models import Follow, Proposal, Status
    from proposals.services import drafts, versions

    nation = account_services.jurisdiction_create(
        actor=None, name="Nation", slug="nation", level="national"
    )
    ministry = account_services.department_create(
        actor=None, name="Ministry", slug="ministry", jurisdiction=nation
    )
    official = User.objects.create_user("official@bench.example", "x" * 20, display_name="O")
    Membership.objects.create(user=official, department=ministry, role=Role.OFFICIAL)
    proposal = drafts.proposal_create(
        actor=official,
        department=ministry,
        jurisdiction=nation,
        title="Bench consultation",
        summary="Followed by many.",
    )
    drafts.section_add(actor=official, proposal=proposal, heading="One", body="Text.")
    versions.version_publish(actor=official, proposal=proposal, change_note="First.")
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Status.OPEN, opens_at=now, closes_at=now + timezone.timedelta(days=30)
    )
    password = make_password(None)
    languages = ["en", "zh-hans"]
    User.objects.bulk_create(
        [
            User(email=f"f{i}@bench.example", display_name=f"F {i}", password=password)
            for i in range(n_followers)
        ],
        batch_size=2000,
    )
    followers = list(User.objects.filter(email__endswith="@bench.example").exclude(pk=official.pk))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in followers],
        batch_size=2000,
    )
    Follow.objects.bulk_create(
        [Follow(proposal=proposal, user=u) for u in followers], batch_size=2000
    )
    from consult.notifications.models import Preference

    Preference.objects.bulk_create(
        [Preference(user=u, language=languages[i % 2]) for i, u in enumerate(followers)],
        batch_size=2000,
    )
    proposal.refresh_from_db()
    return proposal, official, followers


def prepare_digest(readers) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from consult.notifications.models import Delivery, Kind, Notification, Preference

    Preference.objects.filter(user__in=readers).update(
        delivery=Delivery.DIGEST, digest_sent_at=None
    )
    earlier = timezone.now() - timedelta(hours=2)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=Kind.REPLY,
                key=f"reply:bench-{user.pk}-{n}",
                subject="Bench consultation",
                excerpt=f"Reply number {n}",
                url="/consultations/bench/",
                created_at=earlier,
            )
            for user in readers
            for n in range(3)
        ],
        batch_size=2000,
    )


if __name__ == "__main__":
    raise SystemExit(main())
