"""Acting on several items of the moderators' queue at once: each through
the same services as everywhere else, each in a transaction of its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.models import Role, User
from consult.infra.refusals import refusal_text
from discussion.access import TAKEN
from discussion.models import Comment, ReportReason
from discussion.moderation import services as moderation
from discussion.moderation.selectors import open_items

APPROVE, HIDE, DISMISS, TAKE, RELEASE = "approve", "hide", "dismiss", "take", "release"
ACTIONS = (APPROVE, HIDE, DISMISS, TAKE, RELEASE)
ACTION_DONE = {
    APPROVE: _("Approved"),
    HIDE: _("Hidden"),
    DISMISS: _("Reports dismissed"),
    TAKE: _("Taken"),
    RELEASE: _("Released"),
}
NOT_IN_QUEUE = _(
    "This item is not in your queue: it may have been removed, or it belongs to a "
    "department you do not moderate."
)
UNKNOWN_ITEM = _("Item %(id)s")
ALREADY_DECIDED = _(
    "This item has left the queue: another moderator has decided it, or its author deleted it."
)
ITEM_LABEL = _("Comment %(id)s by %(name)s")


@dataclass
class Outcome:
    comment_id: int
    label: str
    done: bool
    message: str = ""
    # Refused because another moderator has it: may be taken over.
    taken: bool = False


def items_act(
    *,
    actor: User,
    action: str,
    comment_ids: list[int],
    reason: str = "",
    category: str = ReportReason.OTHER,
    take_over: bool = False,
) -> list[Outcome]:
    """Run one moderation action on each item, each in a transaction of its
    own through the same services as everywhere else: one refusal (another
    moderator has the item, it was decided meanwhile) never undoes the rest,
    and each item says what became of it."""
    if action not in ACTIONS:
        raise ValueError(action)
    found = {
        c.pk: c
        for c in Comment.objects.filter(pk__in=comment_ids)
        .alias(mine=roles.in_role_scope(actor, Role.MODERATOR, "proposal__department__path"))
        .filter(mine=True)
        .select_related("author")
    }
    outcomes = []
    for pk in comment_ids:
        comment = found.get(pk)
        if comment is None:
            outcomes.append(Outcome(pk, str(UNKNOWN_ITEM % {"id": pk}), False, str(NOT_IN_QUEUE)))
            continue
        outcomes.append(_act_on(actor, action, comment, reason, category, take_over))
    return outcomes


def _act_on(
    actor: User, action: str, comment: Comment, reason: str, category: str, take_over: bool
) -> Outcome:
    label = str(ITEM_LABEL % {"id": comment.pk, "name": comment.author.public_name})
    try:
        with transaction.atomic():
            _ensure_waiting(actor, action, comment.pk)
            _run(actor, action, comment, reason, category, take_over)
    except (ValidationError, PermissionDenied) as error:
        taken = getattr(error, "message", None) is TAKEN
        text = refusal_text(error)
        return Outcome(comment.pk, label, False, text, taken=taken)
    except Comment.DoesNotExist:  # deleted meanwhile
        return Outcome(comment.pk, label, False, str(NOT_IN_QUEUE))
    return Outcome(comment.pk, label, True)


def _ensure_waiting(actor: User, action: str, comment_id: int) -> None:
    """The item is still in the queue, read under the row's lock: of two
    moderators deciding one item at once, the second is told it was decided,
    never left to hide a comment the first has just approved."""
    Comment.objects.select_for_update().filter(pk=comment_id).values_list("pk").first()
    if action != RELEASE and not open_items(actor).filter(pk=comment_id).exists():
        raise ValidationError(ALREADY_DECIDED)


def _run(
    actor: User, action: str, comment: Comment, reason: str, category: str, take_over: bool
) -> None:
    if action == APPROVE:
        moderation.comment_approve(actor=actor, comment=comment, take_over=take_over)
    elif action == HIDE:
        moderation.comment_hide(
            actor=actor, comment=comment, reason=reason, category=category, take_over=take_over
        )
    elif action == DISMISS:
        moderation.reports_dismiss(actor=actor, comment=comment, take_over=take_over)
    elif action == TAKE:
        moderation.comment_claim(actor=actor, comment=comment, take_over=take_over)
    else:
        moderation.comment_release(actor=actor, comment=comment)
