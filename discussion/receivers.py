"""The discussion app's side of the contracts in consult.accounts.signals: a
person's comments, their earlier wordings, votes, reports and appeals,
listed in "download my data". With the account, the notes they wrote to
moderators are blanked; what they contributed stays."""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.accounts.signals import PersonalRows, account_erasing, personal_data
from discussion.models import Appeal, Comment, CommentRevision, CommentVote, Report

COMMENTS = _(
    "Every comment and reply you wrote, with its text and state (public, deleted by you, "
    "hidden, awaiting review)."
)
COMMENT_EDITS = _("Earlier wordings of your comments, kept when you edited or deleted them.")
COMMENT_VOTES = _("Your agree, disagree and pass votes on comments (each comment by its number).")
REPORTS_FILED = _("The comments you reported to the moderators, with your reasons.")
APPEALS = _("Your appeals against a comment of yours being hidden, and their outcomes.")


@receiver(account_erasing, dispatch_uid="discussion.erase")
def discussion_erase(sender, *, user: User, **kwargs) -> None:
    # Free text they wrote to moderators goes; the decisions stay.
    Report.objects.filter(reporter=user).update(note="")
    Appeal.objects.filter(author=user).update(note="")


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


def _link(path: str) -> str:
    return settings.CONSULT_SITE_URL.rstrip("/") + path


def comments(user: User) -> list[dict]:
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


def comment_edits(user: User) -> list[dict]:
    return [
        {"comment": row.pop("comment_id"), **row}
        for row in CommentRevision.objects.filter(comment__author=user)
        .order_by("comment_id", "pk")
        .values("comment_id", "body", "written_at", "replaced_at")
    ]


def comment_votes(user: User) -> list[dict]:
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


def reports_filed(user: User) -> list[dict]:
    return [
        {"comment": row.pop("comment_id"), **row}
        for row in Report.objects.filter(reporter=user)
        .order_by("pk")
        .values("comment_id", "reason", "note", "created_at", "resolved_at")
    ]


def appeals(user: User) -> list[dict]:
    return [
        {"comment": row.pop("comment_id"), **row}
        for row in Appeal.objects.filter(author=user)
        .order_by("pk")
        .values("comment_id", "note", "created_at", "decided_at", "outcome", "decision_note")
    ]


@receiver(personal_data, dispatch_uid="discussion.personal_data")
def discussion_personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict]]:
    return {
        "comments": PersonalRows(comments(user), about=COMMENTS),
        "comment_edits": PersonalRows(comment_edits(user), about=COMMENT_EDITS),
        "comment_votes": PersonalRows(comment_votes(user), about=COMMENT_VOTES),
        "reports_filed": PersonalRows(reports_filed(user), about=REPORTS_FILED),
        "appeals": PersonalRows(appeals(user), about=APPEALS),
    }
