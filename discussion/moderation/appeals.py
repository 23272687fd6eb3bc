"""The author's appeal against a comment being hidden, and its decision.

An author may appeal once, with a note; the appeal joins the moderators'
queue. A moderator of the consultation other than the one who hid the comment
decides it, once: restored (the comment is public again) or upheld, with a
note that the author is told.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, clean_text
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from discussion.access import SIGN_IN, access_moderated_comment
from discussion.live import moderators
from discussion.models import Appeal, AppealOutcome, Comment
from discussion.moderation import services as moderation

NOTE_LIMIT = 1000
DECISION_LIMIT = 500

NOT_AUTHOR = _("Only the author of a comment can appeal against its hiding.")
NOT_HIDDEN = _("This comment is not hidden, so there is nothing to appeal.")
DELETED = _("That comment has been deleted.")
ALREADY_APPEALED = _(
    "You have already appealed against the hiding of this comment; a comment can be appealed once."
)
NOTE_NEEDED = _("Say in a few words why the comment should be shown again.")
NOTE_TOO_LONG = _("Keep the note to %(limit)d characters; it has %(length)d.")
NO_APPEAL = _("There is no appeal against the hiding of this comment.")
ALREADY_DECIDED = _("%(name)s has already decided this appeal: %(outcome)s.")
OWN_DECISION = _("You hid this comment, so another moderator must decide the appeal against it.")
OUTCOME = _("Choose whether to restore the comment or uphold its hiding.")
DECISION_NEEDED = _("Write the note the author will read with the decision.")
DECISION_TOO_LONG = _("Keep the decision note to %(limit)d characters.")
UPHOLD_PUBLIC = _("This comment is public again, so the appeal can only be closed as restored.")
RESTORED_NOTE = _("Your appeal was accepted and your comment is public again. %(note)s")
UPHELD_NOTE = _("Your appeal was not accepted: your comment stays hidden. %(note)s")


def _clean_note(note: str) -> str:
    return clean_text(note, TextRule("note", NOTE_LIMIT, NOTE_TOO_LONG, required=NOTE_NEEDED))


def _author(actor: User) -> User:
    """The author as the database has them now. A suspension does not take
    away the appeal: it is how a person asks for a second look."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    fresh = User.objects.filter(pk=actor.pk, is_active=True).first()
    if fresh is None:
        raise PermissionDenied(SIGN_IN)
    return fresh


@transaction.atomic
def appeal_create(*, actor: User, comment: Comment, note: str) -> Appeal:
    note = _clean_note(note)
    actor = _author(actor)
    # Locked: two tabs appealing at once are taken one after the other.
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal", "proposal__department")
        .get(pk=comment.pk)
    )
    if comment.author_id != actor.pk:
        raise PermissionDenied(NOT_AUTHOR)
    if comment.is_deleted:
        raise ValidationError(DELETED)
    if not comment.is_hidden:
        raise ValidationError(NOT_HIDDEN)
    if Appeal.objects.filter(comment_id=comment.pk).exists():
        raise ValidationError(ALREADY_APPEALED)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                comment=comment, author=actor, note=note, hidden_by_id=comment.hidden_by_id
            )
    except IntegrityError:
        # The one-per-comment constraint caught what the lock could not (another database).
        raise ValidationError(ALREADY_APPEALED) from None
    audit_record(
        actor=actor,
        action="appeal.create",
        target=comment,
        department=comment.proposal.department,
        after={"appeal": appeal.pk},
        scope=moderation.scope(comment),
    )
    moderators.announce(comment, change="appealed")
    return appeal


def _clean_decision(outcome: str, note: str) -> tuple[str, str]:
    if outcome not in AppealOutcome.values:
        raise ValidationError({"outcome": ValidationError(OUTCOME)})
    rule = TextRule(
        "decision_note", DECISION_LIMIT, DECISION_TOO_LONG, required=DECISION_NEEDED, one_line=True
    )
    return outcome, clean_text(note, rule)


@transaction.atomic
def appeal_decide(
    *, actor: User, comment: Comment, outcome: str, note: str, take_over: bool = False
) -> Appeal:
    """Restore the comment or uphold its hiding; the first decision stands."""
    outcome, note = _clean_decision(outcome, note)
    # Locks the comment: two moderators deciding at once take turns.
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("decided_by")
        .filter(comment_id=comment.pk)
        .first()
    )
    if appeal is None:
        raise ValidationError(NO_APPEAL)
    if appeal.decided_at is not None:
        raise ValidationError(
            ALREADY_DECIDED,
            params={
                "name": appeal.decided_by.public_name if appeal.decided_by else "-",
                "outcome": appeal.get_outcome_display(),
            },
        )
    if actor.pk in {appeal.hidden_by_id, comment.hidden_by_id}:
        raise PermissionDenied(OWN_DECISION)
    if outcome == AppealOutcome.UPHELD and not comment.is_hidden:
        raise ValidationError(UPHOLD_PUBLIC)
    if outcome == AppealOutcome.RESTORED and comment.is_hidden:
        moderation.comment_restore(actor=actor, comment=comment, reason=note, take_over=take_over)
    if outcome == AppealOutcome.UPHELD and comment.hidden_pending_review:
        # Hidden by readers' reports until now: upholding is the moderator's
        # decision, with the note as its public reason, and settles the reports.
        moderation.comment_hide(
            actor=actor, comment=comment, reason=note[: moderation.REASON_LIMIT], take_over=True
        )
    appeal.decided_at, appeal.decided_by = timezone.now(), actor
    appeal.outcome, appeal.decision_note = outcome, note
    appeal.save(update_fields=["decided_at", "decided_by", "outcome", "decision_note"])
    audit_record(
        actor=actor,
        action="appeal.decide",
        target=comment,
        department=comment.proposal.department,
        before={"appeal": appeal.pk, "outcome": ""},
        after={"appeal": appeal.pk, "outcome": outcome},
        reason=note,
        scope=moderation.scope(comment),
    )
    moderators.announce(comment, change="resolved")
    template = RESTORED_NOTE if outcome == AppealOutcome.RESTORED else UPHELD_NOTE
    notifications.notify(
        recipient=comment.author,
        kind=NotificationKind.MODERATION,
        key=f"appeal:{appeal.pk}",
        actor=None,
        subject=comment.proposal.title,
        excerpt=str(template) % {"note": note},
        url=comment.get_absolute_url(),
    )
    return appeal
