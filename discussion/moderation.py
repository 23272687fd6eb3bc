"""Moderators' actions on comments. Moderators never change a citizen's
words: they hide a comment with a public reason (the thread keeps its place
and its replies) and restore it. Every action is on the audit log and goes
out live, in the transaction of the change, like every other event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.notifications import services as notifications
from discussion import rules
from discussion.events import event_append
from discussion.models import Comment
from discussion.services import _fresh_actor, _reply_key, _rewrite_history, comment_fragment

NOT_MODERATOR = _("Only moderators of this consultation's department can do that.")
REASON_NEEDED = _("Give the reason the public will see for hiding this comment.")
REASON_TOO_LONG = _("Keep the reason to %(limit)d characters.")
ALREADY_HIDDEN = _("Another moderator has already hidden this comment.")
NOT_HIDDEN = _("This comment is not hidden.")
REASON_LIMIT = 300


def _moderated_comment(actor: User, comment_id: int) -> tuple[User, Comment]:
    # Locked: two moderators acting on one comment take turns, and the second is told.
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal", "proposal__department", "author")
        .get(pk=comment_id)
    )
    actor = _fresh_actor(actor)
    if not rules.can_moderate(actor, comment.proposal):
        raise PermissionDenied(NOT_MODERATOR)
    return actor, comment


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_NEEDED)})
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {"reason": ValidationError(REASON_TOO_LONG, params={"limit": REASON_LIMIT})}
        )
    actor, comment = _moderated_comment(actor, comment.pk)
    if comment.is_hidden:
        raise ValidationError(ALREADY_HIDDEN)
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = timezone.now(), reason, actor
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    audit_record(
        actor=actor,
        action="comment.hide",
        target=comment,
        department=comment.proposal.department,
        before={"hidden": False},
        after={"hidden": True, "reason": reason},
        reason=reason,
    )
    # The words leave the live channel and its replay at once, and the
    # parent's author no longer sees them in a notification.
    _rewrite_history(comment)
    notifications.withdraw(key=_reply_key(comment))
    event_append(
        proposal=comment.proposal,
        type="comment.hidden",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )
    return comment


@transaction.atomic
def comment_restore(*, actor: User, comment: Comment, reason: str = "") -> Comment:
    actor, comment = _moderated_comment(actor, comment.pk)
    if not comment.is_hidden:
        raise ValidationError(NOT_HIDDEN)
    before = {"hidden": True, "reason": comment.hidden_reason}
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = None, "", None
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    audit_record(
        actor=actor,
        action="comment.restore",
        target=comment,
        department=comment.proposal.department,
        before=before,
        after={"hidden": False},
        reason=" ".join((reason or "").split())[:REASON_LIMIT],
    )
    _rewrite_history(comment)
    event_append(
        proposal=comment.proposal,
        type="comment.restored",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )
    return comment
