"""Moderating the words of free-text answers, and the one rule for whether
an answer's words may be shown in public.

Answers follow the rules of comments: a moderator of the consultation's
department (or of one above it) approves an answer held by the
pre-moderation rules, hides its words with a public reason and a category,
or restores them. A moderator never changes the words, and a hidden answer
still counts: its row, its choices and its number stay, only its words leave
every public place. Every decision is on the audit log, in the
consultation's scope, so that the public moderation log counts it.

Answers of responses whose authors chose not to publish them (and drafts)
are never public, so they do not wait for a review: they stay held, and
reach the queue only if the response is later submitted for publication.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from discussion import rules
from discussion.access import NOT_MODERATOR, fresh_actor
from discussion.models import ReportReason
from discussion.moderation.services import CATEGORY, REASON_LIMIT, clean_reason
from discussion.submissions.models import FormAnswer, FormResponse, Publication, ResponseStatus

PUBLISHED = (Publication.NAMED, Publication.ANONYMOUS)
ANSWER_GONE = _(
    "This answer is no longer there: its author may have changed their response. "
    "Reload the queue and try again."
)
OWN_ANSWER = _("You cannot moderate your own answer: another moderator will.")
NO_WORDS = _("Only the words of a free-text answer are moderated, and this answer has none.")
DRAFT = _("This answer is in a draft: nothing of it is public, and its author may still change it.")
ANSWER_REASON_NEEDED = _("Give the reason the public will see for hiding these words.")
ANSWER_ALREADY_HIDDEN = _("Another moderator has already hidden this answer, with another reason.")
HIDDEN_NOT_HELD = _("These words are hidden: restore them to make them public.")

# What hiding and restoring change.
HIDING_FIELDS = ["hidden_at", "hidden_reason", "hidden_category", "hidden_by"]


# --- The rule for public places ------------------------------------------------


def public_words_q(prefix: str = "") -> Q:
    """Answers whose words may be shown in public, as a filter on FormAnswer
    (``prefix`` "" ) or through a relation (``prefix`` "answers__" on
    FormResponse): the response is submitted, its author chose to publish it
    (with or without their name), and its words are neither hidden by a
    moderator nor held for review."""
    return Q(
        **{
            f"{prefix}response__status": ResponseStatus.SUBMITTED,
            f"{prefix}response__publication__in": PUBLISHED,
            f"{prefix}hidden_at__isnull": True,
            f"{prefix}held_at__isnull": True,
        }
    ) & ~Q(**{f"{prefix}text": ""})


def public_answer_words(queryset: QuerySet[FormAnswer] | None = None) -> QuerySet[FormAnswer]:
    """The answers (of ``queryset``, or all) whose words may be shown in
    public: pages, the report, open data and the API all select through this."""
    if queryset is None:
        queryset = FormAnswer.objects.all()
    return queryset.filter(public_words_q())


def answer_words_public(answer: FormAnswer) -> bool:
    """Whether this answer's words may be shown in public (the same rule as
    `public_answer_words`, for one answer; reads its response)."""
    response = answer.response
    return (
        bool(answer.text)
        and answer.hidden_at is None
        and answer.held_at is None
        and response.status == ResponseStatus.SUBMITTED
        and response.publication in PUBLISHED
    )


# --- Moderators' decisions ----------------------------------------------------


def scope(answer: FormAnswer) -> str:
    """The audit log's scope: the consultation's, as for its comments."""
    return f"proposal:{answer.response.proposal_id}"


def access_moderated_answer(actor: User, answer_id: int) -> tuple[User, FormAnswer]:
    """The answer locked for a moderator's decision, and the moderator as
    they are now. Inside a transaction."""
    response_id = (
        FormAnswer.objects.filter(pk=answer_id).values_list("response_id", flat=True).first()
    )
    if response_id is None:
        raise ValidationError(ANSWER_GONE)
    # The response first, as its author's changes lock it: a change and a
    # decision take turns, and a decision is never lost to an answer copied
    # over by a resubmission that read it a moment before.
    FormResponse.objects.select_for_update().filter(pk=response_id).values_list("pk").first()
    answer = (
        FormAnswer.objects.select_for_update(of=("self",))
        .select_related("response__proposal__department", "question")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise ValidationError(ANSWER_GONE)
    actor = fresh_actor(actor)
    if not rules.can_moderate(actor, answer.response.proposal):
        raise PermissionDenied(NOT_MODERATOR)
    if answer.response.respondent_id == actor.pk:
        raise PermissionDenied(OWN_ANSWER)
    if not answer.text:
        raise ValidationError(NO_WORDS)
    if answer.response.status != ResponseStatus.SUBMITTED:
        raise ValidationError(DRAFT)
    return actor, answer


def _record(answer: FormAnswer, *, actor: User, action: str, before: dict, after: dict, reason=""):
    """On the audit log: what was decided on which question, never the words."""
    audit_record(
        actor=actor,
        action=action,
        target=answer,
        department=answer.response.proposal.department,
        before={"question": answer.question_id, **before},
        after=after,
        reason=reason,
        scope=scope(answer),
    )


@transaction.atomic
def answer_approve(*, actor: User, answer: FormAnswer) -> FormAnswer:
    """A held answer's words become public (if its response is published).
    Approving an answer that is no longer held changes nothing."""
    actor, answer = access_moderated_answer(actor, answer.pk)
    if answer.hidden_at is not None:
        raise ValidationError(HIDDEN_NOT_HELD)
    if answer.held_at is None:
        return answer
    _record(
        answer,
        actor=actor,
        action="answer.approve",
        before={"held": True, "reasons": answer.held_reasons},
        after={"held": False},
    )
    # The reasons stay: the public log counts every answer ever held.
    answer.held_at = None
    answer.save(update_fields=["held_at"])
    return answer


@transaction.atomic
def answer_hide(
    *, actor: User, answer: FormAnswer, reason: str, category: str = ReportReason.OTHER
) -> FormAnswer:
    """The answer's words leave every public place, with a reason the public
    sees; the answer keeps counting. Hiding a held answer rejects it. The same
    decision twice changes nothing; another reason over a hidden answer is
    refused."""
    reason = clean_reason(reason, needed=ANSWER_REASON_NEEDED)
    if category not in ReportReason.values:
        raise ValidationError({"category": ValidationError(CATEGORY)})
    actor, answer = access_moderated_answer(actor, answer.pk)
    if answer.hidden_at is not None:
        if (answer.hidden_reason, answer.hidden_category) == (reason, category):
            return answer
        raise ValidationError(ANSWER_ALREADY_HIDDEN)
    _record(
        answer,
        actor=actor,
        action="answer.reject" if answer.held_at else "answer.hide",
        before={"hidden": False, "held": answer.held_at is not None},
        after={"hidden": True, "reason": reason, "category": category},
        reason=reason,
    )
    answer.hidden_at, answer.hidden_by = timezone.now(), actor
    answer.hidden_reason, answer.hidden_category = reason, category
    answer.save(update_fields=HIDING_FIELDS)
    return answer


@transaction.atomic
def answer_restore(*, actor: User, answer: FormAnswer, reason: str = "") -> FormAnswer:
    """The words are public again; a held answer restored is approved with
    it. Restoring an answer that is not hidden changes nothing."""
    actor, answer = access_moderated_answer(actor, answer.pk)
    if answer.hidden_at is None:
        return answer
    _record(
        answer,
        actor=actor,
        action="answer.restore",
        before={
            "hidden": True,
            "reason": answer.hidden_reason,
            "category": answer.hidden_category,
            "held": answer.held_at is not None,
        },
        after={"hidden": False, "held": False},
        reason=" ".join((reason or "").split())[:REASON_LIMIT],
    )
    answer.hidden_at, answer.hidden_by, answer.held_at = None, None, None
    answer.hidden_reason, answer.hidden_category = "", ""
    answer.save(update_fields=[*HIDING_FIELDS, "held_at"])
    return answer
