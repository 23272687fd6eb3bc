"""The moderators' queue as a moderator reads it: held comments, reported
comments and appeals, and who has taken which.

A moderator's queue is every open item in the departments they moderate and
every department below them: one prefix match on the department path, inside
the query that lists the items. A page of items comes with its context (the
thread, the author's recent history, the reports, the hold reasons, the
claim) in a fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.models import Role, User
from discussion.models import Appeal, Comment, Report, ReportReason
from discussion.moderation import premoderation
from proposals.models import Proposal

DEFAULT_CLAIM_SECONDS = 300


def claim_seconds() -> int:
    return getattr(settings, "CONSULT_QUEUE_CLAIM_SECONDS", DEFAULT_CLAIM_SECONDS)


def claimed_by_other(comment: Comment, actor: User, now=None) -> bool:
    """Another moderator took this item in the last CONSULT_QUEUE_CLAIM_SECONDS."""
    if comment.claimed_by_id in (None, actor.pk) or comment.claimed_at is None:
        return False
    now = now or timezone.now()
    return (now - comment.claimed_at).total_seconds() < claim_seconds()


# --- Who sees what ----------------------------------------------------------

HELD, REPORTED, APPEALED = "held", "reported", "appealed"
KIND_LABELS = {
    HELD: _("Awaiting approval"),
    REPORTED: _("Reported"),
    APPEALED: _("Appealed"),
}
# Free-text answers to response forms (discussion/moderation/answer_queue.py):
# those held for review are in "Everything"; published ones only on demand.
ANSWERS_HELD, ANSWERS_PUBLISHED = "answers_held", "answers"
ANSWER_KINDS = {
    ANSWERS_HELD: _("Answers awaiting approval"),
    ANSWERS_PUBLISHED: _("Published answers (to hide or restore)"),
}
KIND_CHOICES = [("all", _("Everything")), *KIND_LABELS.items(), *ANSWER_KINDS.items()]
ORDER_CHOICES = [("oldest", _("Waiting longest first")), ("newest", _("Newest first"))]
PAGE_SIZE = 50
HISTORY = 3
NOTES_SHOWN = 5
# Sorts after any real time, so that a missing time never comes first.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)
NOT_A_MODERATOR = _("The moderation queue is for moderators. Ask an administrator for the role.")


def _open_reports(**more) -> Exists:
    return Exists(
        Report.objects.filter(comment_id=OuterRef("pk"), resolved_at__isnull=True, **more)
    )


def _open_appeal() -> Exists:
    return Exists(Appeal.objects.filter(comment_id=OuterRef("pk"), decided_at__isnull=True))


HELD_OPEN = Q(held_at__isnull=False, hidden_at__isnull=True, is_deleted=False)


def _waiting_since():
    """When the item first needed a moderator: its hold, its oldest open
    report or its appeal, whichever came first."""
    first_report = Subquery(
        Report.objects.filter(comment_id=OuterRef("pk"), resolved_at__isnull=True)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    appealed_at = Subquery(
        Appeal.objects.filter(comment_id=OuterRef("pk"), decided_at__isnull=True).values(
            "created_at"
        )[:1]
    )
    never = Value(NEVER, output_field=DateTimeField())
    held_at = Case(When(HELD_OPEN, then=F("held_at")), output_field=DateTimeField())
    return Least(
        Coalesce(held_at, never), Coalesce(first_report, never), Coalesce(appealed_at, never)
    )


@dataclass(frozen=True)
class Filters:
    kind: str = "all"
    proposal: int | None = None
    reason: str = ""
    untaken: bool = False
    order: str = "oldest"


def open_items(user: User, filters: Filters | None = None) -> QuerySet[Comment]:
    """Every open item of the moderator's queue, filtered and in order."""
    filters = filters or Filters()
    if filters.kind in ANSWER_KINDS:
        return Comment.objects.none().order_by("pk")
    qs = Comment.objects.alias(
        mine=roles.in_role_scope(user, Role.MODERATOR, "proposal__department__path"),
        reported=_open_reports(),
        appealed=_open_appeal(),
    ).filter(mine=True)
    kinds = {HELD: HELD_OPEN, REPORTED: Q(reported=True), APPEALED: Q(appealed=True)}
    if filters.kind in kinds:
        qs = qs.filter(kinds[filters.kind])
    else:
        qs = qs.filter(HELD_OPEN | Q(reported=True) | Q(appealed=True))
    if filters.proposal is not None:
        qs = qs.filter(proposal_id=filters.proposal)
    if filters.reason:
        qs = qs.filter(_open_reports(reason=filters.reason))
    if filters.untaken:
        lapsed = timezone.now() - timedelta(seconds=claim_seconds())
        qs = qs.filter(
            Q(claimed_by__isnull=True) | Q(claimed_by_id=user.pk) | Q(claimed_at__lt=lapsed)
        )
    qs = qs.annotate(waiting_since=_waiting_since())
    if filters.order == "newest":
        return qs.order_by("-waiting_since", "-pk")
    return qs.order_by("waiting_since", "pk")


def queue_consultations(user: User) -> list[tuple[int, str]]:
    """The consultations with open items, for the filter (one query)."""
    items = open_items(user).values("proposal_id")
    return list(
        Proposal.objects.filter(pk__in=items).order_by("title", "pk").values_list("pk", "title")
    )


# --- One item and its context ----------------------------------------------


@dataclass
class ReportGroup:
    reason: str
    label: str
    count: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Item:
    comment: Comment
    kinds: list[str]
    waiting_since: datetime | None
    held_reasons: list[str] = field(default_factory=list)
    reports: list[ReportGroup] = field(default_factory=list)
    open_reports: int = 0
    appeal: Appeal | None = None
    appeal_url: str = ""
    # The thread above it, shortened: its root, how many in between, its parent.
    thread: list[Comment] = field(default_factory=list)
    skipped: int = 0
    history: list[Comment] = field(default_factory=list)
    author_comments: int = 0
    author_hidden: int = 0
    claimed_by: User | None = None
    claimed_until: datetime | None = None
    taken_by_other: bool = False
    hid_it_myself: bool = False

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def kind_labels(self) -> list[str]:
        return [str(KIND_LABELS[kind]) for kind in self.kinds]


ITEM_RELATED = (
    "proposal",
    "proposal__department",
    "section",
    "question",
    "author",
    "claimed_by",
    "appeal",
)


def queue_page(
    *, user: User, filters: Filters | None = None, page: str | int | None = 1
) -> tuple[Page, list[Item]]:
    """A page of the queue with every item's context: the count, the page,
    then one query each for the reports, the threads and the authors'
    histories, however many items there are."""
    qs = open_items(user, filters).select_related(*ITEM_RELATED)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(page)
    return page_obj, items_with_context(user, _in_their_proposal(page_obj.object_list))


def queue_item(*, user: User, comment_id: int, filters: Filters | None = None) -> Item | None:
    """One open item of the moderator's queue (that matches the filters), or None."""
    found = _in_their_proposal(
        open_items(user, filters).select_related(*ITEM_RELATED).filter(pk=comment_id)
    )
    return items_with_context(user, found)[0] if found else None


def _in_their_proposal(comments) -> list[Comment]:
    """The comments, each section and question knowing its proposal (their
    texts are in its language) without a query each."""
    comments = list(comments)
    for comment in comments:
        for place in (comment.section, comment.question):
            if place is not None:
                place.proposal = comment.proposal
    return comments


def items_with_context(user: User, comments: list[Comment]) -> list[Item]:
    """The items of these comments, as this moderator sees them."""
    if not comments:
        return []
    reports = _reports_of(comments)
    thread = _threads_of(comments)
    history, totals = _histories_of(user, comments)
    now = timezone.now()
    items = []
    for comment in comments:
        item = _item(user, comment, reports.get(comment.pk, []), now)
        item.thread, item.skipped = _thread_for(comment, thread)
        item.history = [c for c in history.get(comment.author_id, []) if c.pk != comment.pk][
            :HISTORY
        ]
        item.author_comments, item.author_hidden = totals.get(comment.author_id, (0, 0))
        items.append(item)
    return items


def _item(user: User, comment: Comment, reports: list[Report], now: datetime) -> Item:
    appeal = _appeal_of(comment)
    if appeal is not None and appeal.decided_at is not None:
        appeal = None
    kinds = [
        kind
        for kind, present in (
            (HELD, comment.is_held and not comment.is_hidden and not comment.is_deleted),
            (REPORTED, bool(reports)),
            (APPEALED, appeal is not None),
        )
        if present
    ]
    item = Item(
        comment=comment,
        kinds=kinds,
        waiting_since=getattr(comment, "waiting_since", None),
        held_reasons=premoderation.describe(comment.held_reasons) if HELD in kinds else [],
        reports=_grouped(reports),
        open_reports=len(reports),
        appeal=appeal,
        appeal_url=_appeal_url(appeal),
        hid_it_myself=bool(appeal and appeal.hidden_by_id == user.pk),
    )
    if comment.claimed_by_id and comment.claimed_at:
        until = comment.claimed_at + timedelta(seconds=claim_seconds())
        if until > now:
            item.claimed_by, item.claimed_until = comment.claimed_by, until
            item.taken_by_other = claimed_by_other(comment, user, now)
    return item


def _appeal_of(comment: Comment) -> Appeal | None:
    try:
        return comment.appeal
    except ObjectDoesNotExist:
        return None


def _appeal_url(appeal: Appeal | None) -> str:
    """Where an appeal is decided (the page of the appealed comment's decision)."""
    if appeal is None:
        return ""
    return reverse("discussion:appeal-decide", args=[appeal.comment_id])


def _reports_of(comments: list[Comment]) -> dict[int, list[Report]]:
    found: dict[int, list[Report]] = defaultdict(list)
    for report in Report.objects.filter(
        comment_id__in=[c.pk for c in comments], resolved_at__isnull=True
    ).order_by("created_at", "pk"):
        found[report.comment_id].append(report)
    return found


def _grouped(reports: list[Report]) -> list[ReportGroup]:
    """Reasons with their counts, most frequent first, and what readers wrote."""
    labels = dict(ReportReason.choices)
    groups: dict[str, ReportGroup] = {}
    for report in reports:
        group = groups.setdefault(
            report.reason, ReportGroup(report.reason, str(labels.get(report.reason, report.reason)))
        )
        group.count += 1
        if report.note and report.note not in group.notes and len(group.notes) < NOTES_SHOWN:
            group.notes.append(report.note)
    return sorted(groups.values(), key=lambda g: (-g.count, g.label))


def _threads_of(comments: list[Comment]) -> dict[int, Comment]:
    """The roots and parents of the items, in one query."""
    ids = {c.parent_id for c in comments if c.parent_id} | {
        c.root_id for c in comments if c.root_id and c.root_id != c.pk
    }
    if not ids:
        return {}
    return {c.pk: c for c in Comment.objects.filter(pk__in=ids).select_related("author")}


def _thread_for(comment: Comment, found: dict[int, Comment]) -> tuple[list[Comment], int]:
    if not comment.parent_id:
        return [], 0
    chain = []
    if comment.root_id != comment.parent_id and comment.root_id in found:
        chain.append(found[comment.root_id])
    if comment.parent_id in found:
        chain.append(found[comment.parent_id])
    # Between the root (depth 0) and the parent (depth - 1).
    return chain, max(0, comment.depth - 2)


def _histories_of(
    user: User, comments: list[Comment]
) -> tuple[dict[int, list[Comment]], dict[int, tuple[int, int]]]:
    """Each author's latest comments in the moderator's consultations, and how
    many they wrote there and how many were hidden: one query, the counts
    taken over the whole partition before the latest few are kept."""
    by_author = Window(
        RowNumber(),
        partition_by=[F("author_id")],
        order_by=[F("created_at").desc(), F("pk").desc()],
    )
    rows = (
        Comment.objects.filter(author_id__in={c.author_id for c in comments})
        .alias(mine=roles.in_role_scope(user, Role.MODERATOR, "proposal__department__path"))
        .filter(mine=True)
        .annotate(
            rank=by_author,
            author_total=Window(Count("pk"), partition_by=[F("author_id")]),
            author_hidden=Window(
                Sum(
                    Case(
                        When(hidden_at__isnull=False, then=1),
                        default=0,
                        output_field=IntegerField(),
                    )
                ),
                partition_by=[F("author_id")],
            ),
        )
        .filter(rank__lte=HISTORY + 1)
        .select_related("proposal")
        .order_by("author_id", "rank")
    )
    history: dict[int, list[Comment]] = defaultdict(list)
    totals: dict[int, tuple[int, int]] = {}
    for row in rows:
        history[row.author_id].append(row)
        totals[row.author_id] = (row.author_total, row.author_hidden or 0)
    return history, totals
