"""Benchmark: telling many followers, and their emails, and the daily digest.

    .venv/bin/python bench/notifications.py [--followers 10000] [--digest-readers 2000]

Builds a throwaway database (SQLite by default, or DATABASE_URL) with one
open consultation and N followers with confirmed addresses, then measures,
each in the worker's own code path (tasks run in this process):

- telling every follower of a new version (`followers_notify`: one bulk
  insert) and emailing each of them (`emails_send`, rendered per person in
  their language, through Django's in-memory mail backend);
- the daily digest for M readers with three notifications each.

Reports wall time, SQL queries and the peak resident memory of the process,
beside the floor in the same run: as many ready-made messages (one text, no
template, no query) sent through the same mail backend.

Checked against the database and the outbox, or the run fails (exit 1): every
follower has exactly one notification of the new version, stored as emailed;
the emails counted are one per follower, each to that follower's own address,
in their language (Chinese text for those who chose Chinese, none for the
others), naming the consultation; and every digest reader gets exactly one
digest, to their address, holding their own three notifications and no one
else's. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import time

from common import check, print_load, run_checked, setup_django

DIGEST_EXCERPT = re.compile(r"Reply number (\d) for reader (\d+)")
VERSION_KEY = "version:bench"
TITLE = "Bench consultation"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--digest-readers", type=int, default=2_000)
    args = parser.parse_args(argv)
    print_load("notifications")
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
    check(told == args.followers, f"{told} followers told, {args.followers} follow")
    row("tell followers and email each", seconds, len(queries), len(mail.outbox))
    check_version_emails(mail.outbox, followers)
    baseline(followers)

    readers = followers[: args.digest_readers]
    prepare_digest(readers)
    from consult.notifications.tasks import digests_send

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = digests_send.call()
        seconds = time.perf_counter() - started
    check(sent == len(readers), f"{sent} digests sent, {len(readers)} readers due one")
    row("daily digests", seconds, len(queries), len(mail.outbox))
    check_digests(mail.outbox, readers)
    print(
        f"\nChecked: {len(followers):,} notifications stored and emailed, one to each follower "
        f"in their language; {len(readers):,} digests, one to each reader with their own three."
    )
    return 0


def baseline(followers) -> None:
    """The floor: one ready-made message per follower through the same backend."""
    from django.core import mail

    mail.outbox = []
    started = time.perf_counter()
    with mail.get_connection() as connection:
        connection.send_messages(
            [
                mail.EmailMultiAlternatives(
                    TITLE, "A new version.", "site@example.org", [user.email], connection=connection
                )
                for user in followers
            ]
        )
    seconds = time.perf_counter() - started
    check(len(mail.outbox) == len(followers), f"baseline: {len(mail.outbox)} messages sent")
    row("baseline: as many ready-made messages, same backend", seconds, 0, len(mail.outbox))
    mail.outbox = []


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def message_text(message) -> str:
    html = "".join(body for body, _type in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{html}"


def check_version_emails(outbox: list, followers: list) -> None:
    """One notification stored per follower, marked emailed; one email per
    follower, to their address, in their language, about the consultation."""
    from consult.notifications.models import Notification, Preference

    stored = list(
        Notification.objects.filter(key=VERSION_KEY).values_list("recipient_id", "emailed_at")
    )
    ids = {user.pk for user in followers}
    check(
        len(stored) == len(ids) and {r for r, _e in stored} == ids,
        f"{len(stored)} notifications of the version stored for {len(ids)} followers",
    )
    unsent = sum(1 for _r, emailed in stored if emailed is None)
    check(unsent == 0, f"{unsent} notifications of the version not marked emailed")
    chinese = set(
        Preference.objects.filter(user__in=followers, language="zh-hans").values_list(
            "user__email", flat=True
        )
    )
    addresses = [tuple(message.to) for message in outbox]
    check(
        len(addresses) == len(followers)
        and sorted(addresses) == sorted((user.email,) for user in followers),
        f"{len(outbox)} emails sent; not exactly one to each of the {len(followers)} followers",
    )
    for message in outbox:
        text, (to,) = message_text(message), message.to
        check(TITLE in text, f"the email to {to} does not name the consultation")
        check(
            has_chinese(text) == (to in chinese),
            f"the email to {to} is not in their language "
            f"({'Chinese' if to in chinese else 'English'})",
        )


def check_digests(outbox: list, readers: list) -> None:
    """One digest per reader, to their address, with their own three notifications."""
    addresses = sorted(tuple(message.to) for message in outbox)
    check(
        addresses == sorted((user.email,) for user in readers),
        f"{len(outbox)} digests; not exactly one to each of the {len(readers)} readers",
    )
    by_address = {user.email: user.pk for user in readers}
    for message in outbox:
        text, (to,) = message_text(message), message.to
        named = {(int(n), int(reader)) for n, reader in DIGEST_EXCERPT.findall(text)}
        mine = {(n, by_address[to]) for n in range(3)}
        check(named == mine, f"the digest to {to} holds {sorted(named)}, not their own three")


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
        title=TITLE,
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
                excerpt=f"Reply number {n} for reader {user.pk}",
                url="/consultations/bench/",
                created_at=earlier,
            )
            for user in readers
            for n in range(3)
        ],
        batch_size=2000,
    )


if __name__ == "__main__":
    raise SystemExit(run_checked(main))
