"""What goes into a person's "download my data" archive, and writing it.

Every table holds only rows about the person: their account, what they
wrote, voted and asked for. Nothing of anyone else's is copied in (votes
and reports name the comment by its number only, notifications leave out the
words of the reply they announce). The other apps add what they keep through
the `personal_data` signal (consult.accounts.signals).

Each table is written twice: JSON (the values as they are) and CSV (UTF-8
with a byte order mark, text that a spreadsheet would run as a formula
guarded as in the other downloads).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Membership, User
from consult.accounts.signals import personal_data

# The one writer of a ZIP of tables, with the guard against spreadsheet
# formulas of every CSV the site hands out.
from consult.infra.tables import TableZip, plain

logger = logging.getLogger(__name__)

Row = dict[str, object]
Progress = Callable[[int], None]

TABLE_NAME = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class Table:
    name: str
    about: str
    rows: list[Row]


def _link(path: str) -> str:
    return settings.CONSULT_SITE_URL.rstrip("/") + path


# --- the person's own rows ----------------------------------------------------------


def profile(user: User) -> list[Row]:
    roles = [
        f"{role} in {department}"
        for role, department in Membership.objects.filter(user=user)
        .order_by("department__path", "role")
        .values_list("role", "department__name")
    ]
    place = user.home_jurisdiction.name if user.home_jurisdiction_id else None
    return [
        {
            "account_number": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": user.date_joined,
            "last_sign_in": user.last_login,
            "where_you_live": place,
            "roles": roles,
            "staff_admin": user.is_staff,
            "suspended_until": user.suspended_until,
            "banned_at": user.banned_at,
            "sanction_reason": user.sanction_reason,
        }
    ]


def email_addresses(user: User) -> list[Row]:
    from allauth.account.models import EmailAddress

    return list(
        EmailAddress.objects.filter(user=user).order_by("pk").values("email", "verified", "primary")
    )


def sign_in_links(user: User) -> list[Row]:
    from allauth.socialaccount.models import SocialAccount

    return list(
        SocialAccount.objects.filter(user=user)
        .order_by("pk")
        .values("provider", "uid", "date_joined", "last_login")
    )


def two_factor(user: User) -> list[Row]:
    from allauth.mfa.models import Authenticator

    return list(
        Authenticator.objects.filter(user=user)
        .order_by("pk")
        .values("type", "created_at", "last_used_at")
    )


def _comment_state(row: dict) -> str:
    if row["is_deleted"]:
        return "deleted by you"
    if row["hidden_at"]:
        return "hidden by a moderator"
    if row["hidden_pending_review"]:
        return "hidden pending review"
    if row["held_at"]:
        return "awaiting review"
    return "public"


def comments(user: User) -> list[Row]:
    from discussion.models import Comment

    return [
        {
            "comment": row["pk"],
            "consultation": row["proposal__title"],
            "section": row["section__heading"],
            "question": row["question__prompt"],
            "reply_to_comment": row["parent_id"],
            "version": row["version__number"],
            "state": _comment_state(row),
            "hidden_reason": row["hidden_reason"],
            "created_at": row["created_at"],
            "edited_at": row["edited_at"],
            "deleted_at": row["deleted_at"],
            "body": row["body"],
            "link": _link(reverse("discussion:comment", kwargs={"pk": row["pk"]})),
        }
        for row in Comment.objects.filter(author=user)
        .order_by("pk")
        .values(
            "pk",
            "proposal__title",
            "section__heading",
            "question__prompt",
            "parent_id",
            "version__number",
            "is_deleted",
            "hidden_at",
            "hidden_pending_review",
            "held_at",
            "hidden_reason",
            "created_at",
            "edited_at",
            "deleted_at",
            "body",
        )
        .iterator(chunk_size=2000)
    ]


def comment_edits(user: User) -> list[Row]:
    from discussion.models import CommentRevision

    return [
        {"comment": row.pop("comment_id"), **row}
        for row in CommentRevision.objects.filter(comment__author=user)
        .order_by("comment_id", "pk")
        .values("comment_id", "body", "written_at", "replaced_at")
    ]


def comment_votes(user: User) -> list[Row]:
    from discussion.models import CommentVote

    return [
        {
            "comment": row.pop("comment_id"),
            "consultation": row.pop("comment__proposal__title"),
            **row,
        }
        for row in CommentVote.objects.filter(user=user)
        .order_by("pk")
        .values("comment_id", "comment__proposal__title", "value", "created_at", "updated_at")
    ]


def stances(user: User) -> list[Row]:
    from proposals.models import ProposalStance, SectionStance

    fields = ("proposal__title", "value", "version__number", "created_at", "updated_at")
    whole = ProposalStance.objects.filter(user=user).order_by("pk").values(*fields)
    parts = (
        SectionStance.objects.filter(user=user).order_by("pk").values(*fields, "section__heading")
    )
    return [
        {
            "consultation": row["proposal__title"],
            "section": row.get("section__heading"),
            "value": row["value"],
            "version": row["version__number"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        for row in [*whole, *parts]
    ]


def follows(user: User) -> list[Row]:
    from proposals.models import Follow

    return [
        {
            "consultation": title,
            "link": _link(reverse("proposals:detail", kwargs={"slug": slug})),
            "since": since,
        }
        for title, slug, since in Follow.objects.filter(user=user)
        .order_by("pk")
        .values_list("proposal__title", "proposal__slug", "created_at")
    ]


def reports_filed(user: User) -> list[Row]:
    from discussion.models import Report

    return [
        {"comment": row.pop("comment_id"), **row}
        for row in Report.objects.filter(reporter=user)
        .order_by("pk")
        .values("comment_id", "reason", "note", "created_at", "resolved_at")
    ]


def appeals(user: User) -> list[Row]:
    from discussion.models import Appeal

    return [
        {"comment": row.pop("comment_id"), **row}
        for row in Appeal.objects.filter(author=user)
        .order_by("pk")
        .values("comment_id", "note", "created_at", "decided_at", "outcome", "decision_note")
    ]


def notifications(user: User) -> list[Row]:
    from consult.notifications.models import Notification

    # Not the excerpt: those are someone else's words.
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("pk")
        .values("kind", "subject", "url", "created_at", "read_at", "emailed_at")
    )


def api_tokens(user: User) -> list[Row]:
    from consult.api.models import AccessToken

    # Names and dates only: never the digest of the secret.
    return list(
        AccessToken.objects.filter(user=user)
        .order_by("pk")
        .values(
            "name", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "revoked_at"
        )
    )


# (file name, what it holds, how to read it), in the order of the README.
SOURCES: list[tuple[str, object, Callable[[User], list[Row]]]] = [
    (
        "profile",
        _(
            "Your account: email address, display name, when you joined and last signed in, "
            "where you live, your roles and any suspension."
        ),
        profile,
    ),
    (
        "email_addresses",
        _("The email addresses of your account and whether each is verified."),
        email_addresses,
    ),
    (
        "sign_in_links",
        _("Accounts at other services (such as a government sign-in) linked to yours."),
        sign_in_links,
    ),
    (
        "two_factor",
        _("Your two-factor authentication methods: their kind and dates, never their secrets."),
        two_factor,
    ),
    (
        "comments",
        _(
            "Every comment and reply you wrote, with its text and state (public, deleted by you, "
            "hidden, awaiting review)."
        ),
        comments,
    ),
    (
        "comment_edits",
        _("Earlier wordings of your comments, kept when you edited or deleted them."),
        comment_edits,
    ),
    (
        "comment_votes",
        _("Your agree, disagree and pass votes on comments (each comment by its number)."),
        comment_votes,
    ),
    ("stances", _("Your stances on consultations and their sections."), stances),
    ("follows", _("The consultations you follow."), follows),
    (
        "reports_filed",
        _("The comments you reported to the moderators, with your reasons."),
        reports_filed,
    ),
    (
        "appeals",
        _("Your appeals against a comment of yours being hidden, and their outcomes."),
        appeals,
    ),
    (
        "notifications",
        _("Your notifications: what each was about and when you read it."),
        notifications,
    ),
    (
        "api_tokens",
        _("Your API tokens: names and dates only, never the tokens themselves."),
        api_tokens,
    ),
]
FROM_OTHER_PARTS = _("Kept by another part of the site about you.")


def _received(user: User, taken: set[str]) -> list[Table]:
    """The tables that the other apps hold about the person. A receiver that
    answers in the wrong shape is a fault: the archive fails rather than
    leaving something out unnoticed."""
    tables = []
    for receiver, answer in personal_data.send(sender=User, user=user):
        if answer is None:
            continue
        if not isinstance(answer, dict):
            raise TypeError(f"personal_data receiver {receiver!r} returned {type(answer)}")
        for name, rows in answer.items():
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise TypeError(f"personal_data table {name!r} is not a list of rows")
            base = TABLE_NAME.sub("_", str(name).lower()).strip("_")[:60] or "data"
            unique, n = base, 2
            while unique in taken:
                unique, n = f"{base}_{n}", n + 1
            taken.add(unique)
            tables.append(Table(unique, str(FROM_OTHER_PARTS), rows))
    return tables


def collect(user: User, progress: Progress = lambda percent: None) -> list[Table]:
    """Every table of the person's archive (progress up to 80%)."""
    tables = []
    for i, (name, about, rows) in enumerate(SOURCES):
        tables.append(Table(name, str(about), rows(user)))
        progress(80 * (i + 1) // (len(SOURCES) + 1))
    tables += _received(user, {table.name for table in tables})
    progress(80)
    return tables


# --- writing -------------------------------------------------------------------------


def write_zip(
    target: BinaryIO, *, user: User, tables: list[Table], progress: Progress = lambda p: None
) -> list[str]:
    """The archive: README.txt, then each table as JSON and CSV. The README is
    written in the active language. Returns the names of the files in it."""
    now = timezone.now()
    with TableZip(target, at=now, mode=0o600) as archive:
        readme = render_to_string(
            "privacy/export_readme.txt",
            {
                "user": user,
                "tables": tables,
                "built_at": plain(now),
                "site": settings.CONSULT_SITE_URL,
            },
        )
        archive.write("README.txt", readme.encode())
        for i, table in enumerate(tables):
            archive.records(table.name, table.rows)
            progress(80 + 19 * (i + 1) // len(tables))
    return archive.names
