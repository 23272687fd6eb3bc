"""Free-text answers to response forms in the moderators' queue.

Answers held by the pre-moderation rules wait in the queue beside comments;
the published answers of a moderator's consultations are listed on demand,
so that published words can be hidden (and hidden ones restored). Only
answers of submitted responses their authors chose to publish are listed:
the others are never public, so they need no review (see
discussion/submissions/moderation.py).

A page of answers is one query (the count rides along as a window), and
none at all when no answer waits and none was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.models import Role, User
from discussion.moderation import premoderation
from discussion.moderation.selectors import (
    ANSWERS_HELD,
    ANSWERS_PUBLISHED,
    PAGE_SIZE,
    Filters,
    open_items,
)
from discussion.submissions.models import FormAnswer, ResponseStatus
from discussion.submissions.moderation import PUBLISHED
from proposals.models import Proposal

WAITING, SHOWN, HIDDEN = "waiting", "shown", "hidden"
STATE_LABELS = {
    WAITING: _("Answer awaiting approval"),
    SHOWN: _("Published answer"),
    HIDDEN: _("Answer hidden by a moderator"),
}
PAGE_PARAMETER = "answers_page"


def _published() -> Q:
    return Q(response__status=ResponseStatus.SUBMITTED, response__publication__in=PUBLISHED) & ~Q(
        text=""
    )


def waiting_q() -> Q:
    """Held for review, and not yet decided."""
    return _published() & Q(held_at__isnull=False, hidden_at__isnull=True)


def shown_q() -> Q:
    """Published words, or words a moderator hid."""
    return _published() & (Q(held_at__isnull=True) | Q(hidden_at__isnull=False))


def _mine(user: User) -> QuerySet[FormAnswer]:
    return FormAnswer.objects.alias(
        mine=roles.in_role_scope(user, Role.MODERATOR, "response__proposal__department__path")
    ).filter(mine=True)


def answer_items(user: User, filters: Filters) -> QuerySet[FormAnswer] | None:
    """The answers the filters ask for, in order; None for a comments-only kind."""
    if filters.kind == ANSWERS_PUBLISHED:
        qs, when = _mine(user).filter(shown_q()), "response__submitted_at"
    elif filters.kind in ("all", ANSWERS_HELD):
        qs, when = _mine(user).filter(waiting_q()), "held_at"
    else:
        return None
    if filters.proposal is not None:
        qs = qs.filter(response__proposal_id=filters.proposal)
    if filters.order == "newest":
        return qs.order_by(f"-{when}", "-pk")
    return qs.order_by(when, "pk")


def queue_consultations(user: User) -> tuple[list[tuple[int, str]], set[int]]:
    """The consultations with open items or answers to moderate, for the
    filter, and those where answers wait for a review (one query)."""
    in_it = _mine(user).filter(response__proposal=OuterRef("pk"))
    rows = (
        Proposal.objects.annotate(answers_waiting=Exists(in_it.filter(waiting_q())))
        .alias(answers=Exists(in_it.filter(_published())))
        .filter(Q(pk__in=open_items(user).values("proposal_id")) | Q(answers=True))
        .order_by("title", "pk")
        .values_list("pk", "title", "answers_waiting")
    )
    consultations, waiting = [], set()
    for pk, title, answers_waiting in rows:
        consultations.append((pk, title))
        if answers_waiting:
            waiting.add(pk)
    return consultations, waiting


@dataclass
class AnswerItem:
    answer: FormAnswer
    state: str
    held_reasons: list[str] = field(default_factory=list)
    # Why a decision on it was just refused.
    errors: list[str] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.answer.pk

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class AnswerPage:
    items: list[AnswerItem]
    count: int
    number: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * PAGE_SIZE < self.count

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _number(page: str | int | None) -> int:
    try:
        return max(1, min(int(page or 1), 10**6))
    except (TypeError, ValueError):
        return 1


def _item(answer: FormAnswer) -> AnswerItem:
    # The question's texts are in its consultation's language: the one read with the response.
    answer.question.proposal = answer.response.proposal
    if answer.hidden_at is not None:
        return AnswerItem(answer, HIDDEN)
    if answer.held_at is not None:
        return AnswerItem(answer, WAITING, premoderation.describe(answer.held_reasons))
    return AnswerItem(answer, SHOWN)


def answer_page(
    *, user: User, filters: Filters, waiting: set[int], page: str | int | None = 1
) -> AnswerPage | None:
    """A page of the answers the filters ask for; None when none are asked
    for, or (in "Everything") none wait where the filters look (`waiting`
    being the consultations where some do), at no query."""
    qs = answer_items(user, filters)
    if qs is None:
        return None
    if filters.kind == "all" and not (
        waiting if filters.proposal is None else filters.proposal in waiting
    ):
        return None
    qs = qs.select_related(
        "question", "response__proposal__department", "response__respondent"
    ).annotate(total=Window(Count("pk")))
    number = _number(page)
    found = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    if not found and number > 1:
        number, found = 1, list(qs[:PAGE_SIZE])
    count = found[0].total if found else 0
    return AnswerPage([_item(answer) for answer in found], count, number)
