"""Readers' reports and moderators' actions on comments. Moderators never
change a citizen's words: they hide a comment with a public reason (the
thread keeps its place and its replies) and restore it. Enough reports from
different readers hide a comment pending review. Every action is on the audit log and goes
out live, in the transaction of the change, like every other event."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, clean_text
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from discussion.access import access_moderated_comment, fresh_actor
from discussion.comments.services import (
    HELD,
    comment_fragment,
    comment_publish,
    reply_key,
    rewrite_history,
)
from discussion.live import moderators
from discussion.live.events import event_append
from discussion.models import Appeal, AppealOutcome, Comment, Report, ReportReason
from discussion.moderation.selectors import claimed_by_other
from proposals.services import participation

DEFAULT_REPORTS_TO_HIDE = 3
NOTE_LIMIT = 500
PENDING_REVIEW = _("Hidden pending review after reports from readers.")
REPORT_REASON = _("Choose why you are reporting this comment.")
NOTE_TOO_LONG = _("Keep the note to %(limit)d characters.")
OWN_REPORT = _("You cannot report your own comment; you can edit or delete it.")
ALREADY_REPORTED = _("You have already reported this comment. Moderators will look at it.")
ALREADY_DELETED = _("That comment has already been deleted.")
REASON_NEEDED = _("Give the reason the public will see for hiding this comment.")
REASON_TOO_LONG = _("Keep the reason to %(limit)d characters.")
ALREADY_HIDDEN = _("Another moderator has already hidden this comment.")
NOT_HIDDEN = _("This comment is not hidden.")
NOT_HELD = _("This comment is not awaiting review: another moderator may have decided it.")
NO_OPEN_REPORTS = _("This comment has no open reports: another moderator may have settled them.")
CATEGORY = _("Choose the category of the reason.")
APPROVED = _("Your comment was approved by a moderator and is now public.")
REASON_LIMIT = 300
REPORT_NOTE = TextRule("note", NOTE_LIMIT, NOTE_TOO_LONG, one_line=True)
# What hiding and restoring change (a decision also ends any claim on the item).
HIDING_FIELDS = [
    "hidden_at",
    "hidden_reason",
    "hidden_by",
    "hidden_pending_review",
    "hidden_category",
    "claimed_by",
    "claimed_at",
]


@transaction.atomic
def comment_claim(*, actor: User, comment: Comment, take_over: bool = False) -> Comment:
    """Take an item in the queue, so that other moderators see who is on it."""
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    previous = comment.claimed_by if claimed_by_other(comment, actor) else None
    comment.claimed_by, comment.claimed_at = actor, timezone.now()
    comment.save(update_fields=["claimed_by", "claimed_at"])
    if previous is not None:
        audit_record(
            actor=actor,
            action="comment.claim_take_over",
            target=comment,
            department=comment.proposal.department,
            before={"claimed_by": previous.pk},
            after={"claimed_by": actor.pk},
            scope=scope(comment),
        )
    moderators.announce(comment, change="claimed", by=actor.display_name, by_id=actor.pk)
    return comment


@transaction.atomic
def comment_release(*, actor: User, comment: Comment) -> Comment:
    """Let go of an item one had taken (another's claim is left alone)."""
    actor, comment = access_moderated_comment(actor, comment.pk)
    if comment.claimed_by_id == actor.pk:
        comment.claimed_by, comment.claimed_at = None, None
        comment.save(update_fields=["claimed_by", "claimed_at"])
        moderators.announce(comment, change="released")
    return comment


def clean_reason(reason: str, *, needed=REASON_NEEDED) -> str:
    """A reason typed by a moderator: white space folded, present, not too long."""
    rule = TextRule("reason", REASON_LIMIT, REASON_TOO_LONG, required=needed, one_line=True)
    return clean_text(reason, rule)


def _appeal_answered(comment: Comment, *, actor: User) -> None:
    """The comment is public again: an open appeal against its hiding is
    closed as restored, and leaves the queue with it."""
    Appeal.objects.filter(comment_id=comment.pk, decided_at__isnull=True).update(
        decided_at=timezone.now(), decided_by=actor, outcome=AppealOutcome.RESTORED
    )


def scope(comment: Comment) -> str:
    """The audit log's scope for the comment's consultation (its public log)."""
    return f"proposal:{comment.proposal_id}"


@transaction.atomic
def comment_hide(
    *,
    actor: User,
    comment: Comment,
    reason: str,
    category: str = ReportReason.OTHER,
    take_over: bool = False,
) -> Comment:
    reason = clean_reason(reason)
    if category not in ReportReason.values:
        raise ValidationError({"category": ValidationError(CATEGORY)})
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if comment.is_hidden and not comment.hidden_pending_review:
        raise ValidationError(ALREADY_HIDDEN)
    # A moderator's decision settles the readers' reports.
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    _hide(comment, actor=actor, reason=reason, category=category)
    return comment


def _hide(comment: Comment, *, actor: User | None, reason: str, category: str = "") -> None:
    """Hide with a public reason (a moderator), or pending review (reports: no
    actor). A held comment hidden by a moderator stays out of the threads: it
    was never public, and its author sees why it was not published."""
    before = {"hidden": comment.is_hidden, "pending_review": comment.hidden_pending_review}
    was_public = comment.is_public
    comment.hidden_at, comment.hidden_by = timezone.now(), actor
    comment.hidden_reason, comment.hidden_pending_review = reason, actor is None
    comment.hidden_category = category if actor else ""
    comment.claimed_by, comment.claimed_at = None, None
    comment.save(update_fields=HIDING_FIELDS)
    participation.comment_visibility_changed(
        proposal_id=comment.proposal_id, was_public=was_public, is_public=False
    )
    audit_record(
        actor=actor,
        action=(
            ("comment.reject" if comment.is_held else "comment.hide")
            if actor
            else "comment.hide_pending_review"
        ),
        target=comment,
        department=comment.proposal.department,
        before=before,
        after={"hidden": True, "reason": reason, "category": comment.hidden_category},
        reason=reason,
        scope=scope(comment),
    )
    moderators.announce(comment, change="resolved" if actor else "reported")
    notifications.notify(
        recipient=comment.author,
        kind=NotificationKind.MODERATION,
        key=f"hidden:{comment.pk}:{int(comment.hidden_at.timestamp())}",
        actor=None,
        subject=comment.proposal.title,
        excerpt=reason or str(PENDING_REVIEW),
        url=comment.get_absolute_url(),
    )
    if comment.is_held:
        return
    # The words leave the live channel and its replay at once, and the
    # parent's author no longer sees them in a notification.
    rewrite_history(comment)
    notifications.withdraw(key=reply_key(comment))
    event_append(
        proposal=comment.proposal,
        type="comment.hidden",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )


def reports_to_hide() -> int:
    return getattr(settings, "CONSULT_REPORTS_TO_HIDE", DEFAULT_REPORTS_TO_HIDE)


@transaction.atomic
def comment_report(*, actor: User, comment: Comment, reason: str, note: str = "") -> Report:
    """A reader reports a comment, once. At the threshold of distinct open
    reports the comment is hidden pending a moderator's review."""
    if reason not in ReportReason.values:
        raise ValidationError({"reason": ValidationError(REPORT_REASON)})
    note = clean_text(note, REPORT_NOTE)
    actor = fresh_actor(actor)
    # Locked: twenty reports arriving at once are counted one after another.
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal", "proposal__department", "author")
        .get(pk=comment.pk)
    )
    if comment.author_id == actor.pk:
        raise ValidationError(OWN_REPORT)
    if comment.is_deleted:
        raise ValidationError(ALREADY_DELETED)
    if comment.is_held:
        # Not public yet: moderators review it anyway; nothing to report.
        raise ValidationError(HELD)
    if Report.objects.filter(comment=comment, reporter=actor).exists():
        raise ValidationError(ALREADY_REPORTED)
    report = Report.objects.create(comment=comment, reporter=actor, reason=reason, note=note)
    open_reports = comment.reports.filter(resolved_at__isnull=True).count()
    if not comment.is_hidden and not comment.is_held and open_reports >= reports_to_hide():
        _hide(comment, actor=None, reason="")
    else:
        # Into the moderators' queue (and nowhere public).
        moderators.announce(comment, change="reported")
    return report


@transaction.atomic
def comment_restore(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> Comment:
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if not comment.is_hidden:
        raise ValidationError(NOT_HIDDEN)
    _unhide(comment, actor=actor, reason=reason)
    return comment


def _unhide(comment: Comment, *, actor: User, reason: str = "") -> None:
    """Public again (or, never published, approved): the reports that hid it
    are settled, an appeal waiting on it is answered, and pages are told."""
    before = {
        "hidden": True,
        "reason": comment.hidden_reason,
        "pending_review": comment.hidden_pending_review,
    }
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = None, "", None
    comment.hidden_pending_review, comment.hidden_category = False, ""
    comment.claimed_by, comment.claimed_at = None, None
    comment.save(update_fields=HIDING_FIELDS)
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    _appeal_answered(comment, actor=actor)
    audit_record(
        actor=actor,
        action="comment.restore",
        target=comment,
        department=comment.proposal.department,
        before=before,
        after={"hidden": False},
        reason=" ".join((reason or "").split())[:REASON_LIMIT],
        scope=scope(comment),
    )
    moderators.announce(comment, change="resolved")
    if comment.is_held:
        # Restoring a comment that was never published approves it.
        _approve(comment, actor=actor)
        return
    participation.comment_visibility_changed(
        proposal_id=comment.proposal_id, was_public=False, is_public=comment.is_public
    )
    rewrite_history(comment)
    event_append(
        proposal=comment.proposal,
        type="comment.restored",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )


@transaction.atomic
def comment_approve(*, actor: User, comment: Comment, take_over: bool = False) -> Comment:
    """A held comment is published as if posted now (its time stays its own)."""
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if not comment.is_held or comment.is_hidden:
        raise ValidationError(NOT_HELD)
    audit_record(
        actor=actor,
        action="comment.approve",
        target=comment,
        department=comment.proposal.department,
        before={"held": True, "reasons": comment.held_reasons},
        after={"held": False},
        scope=scope(comment),
    )
    moderators.announce(comment, change="resolved")
    _approve(comment, actor=actor)
    return comment


def _approve(comment: Comment, *, actor: User) -> None:
    comment.held_at, comment.claimed_by, comment.claimed_at = None, None, None
    comment.save(update_fields=["held_at", "claimed_by", "claimed_at"])
    if comment.is_deleted:
        return
    parent = (
        Comment.objects.select_related("author").get(pk=comment.parent_id)
        if comment.parent_id
        else None
    )
    comment_publish(comment, parent=parent)
    notifications.notify(
        recipient=comment.author,
        kind=NotificationKind.MODERATION,
        key=f"approved:{comment.pk}",
        actor=None,
        subject=comment.proposal.title,
        excerpt=str(APPROVED),
        url=comment.url_in_context(),
    )


@transaction.atomic
def reports_dismiss(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> int:
    """The reports do not call for action: settled, and a comment that they
    hid pending review is public again. Returns how many were settled."""
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    settled = comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    if not settled:
        raise ValidationError(NO_OPEN_REPORTS)
    audit_record(
        actor=actor,
        action="reports.dismiss",
        target=comment,
        department=comment.proposal.department,
        before={"open_reports": settled},
        after={"open_reports": 0},
        reason=" ".join((reason or "").split())[:REASON_LIMIT],
        scope=scope(comment),
    )
    if comment.is_hidden and comment.hidden_pending_review:
        _unhide(comment, actor=actor)
    else:
        comment.claimed_by, comment.claimed_at = None, None
        comment.save(update_fields=["claimed_by", "claimed_at"])
        moderators.announce(comment, change="resolved")
    return settled
