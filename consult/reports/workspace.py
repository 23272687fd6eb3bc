"""The officials' dashboard: per consultation of their departments, what
needs their attention, read in a fixed number of queries whatever the number
of consultations, comments, votes and reports.

It reads the discussion (comments, official responses, readers' reports)
and the reports (summary runs, the report), so it lives on this floor, above
both. A page of the dashboard is three queries: the count, the page of
consultations with every count as a subquery annotation (so that the order
"what needs attention first" is the database's, across pages), and the most
agreed unanswered comments of the whole page in one query with a window
function.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from consult.accounts.models import Role, User
from consult.accounts.roles import department_ids_for_role
from consult.reports.models import ACTIVE_STATES, ReportState, RunState, SummaryRun
from discussion.models import Comment, CommentVote, OfficialResponse, Report, public_comment
from proposals.models import Proposal, Status
from proposals.selectors import with_unpublished_changes

PAGE_SIZE = 50
TOP_AGREED = 3
# Comments are answered while the consultation is open and after it closes,
# until its report is published (discussion.rules.RESPONDABLE).
ANSWERING = (Status.OPEN, Status.CLOSED)

# The summary's state, in the order of what there is to do.
SUMMARY_NONE = "none"  # nothing to summarise yet (a draft, scheduled, withdrawn)
SUMMARY_MISSING = "missing"  # open or closed, never computed
SUMMARY_RUNNING = "running"
SUMMARY_STALE = "stale"
SUMMARY_CURRENT = "current"


def awaiting_response() -> QuerySet[Comment]:
    """Comments awaiting an official response, of any consultation.

    Precisely: a top-level comment (not a reply) whose words are public (not
    deleted, hidden or held: `discussion.models.public_comment`), that no
    official response names (`OfficialResponse.comments`; an answer to its
    section or theme as a whole does not count, as it does not show under
    the comment). Only consultations that are open, or closed with no report
    published yet, have comments awaiting: the caller applies that (the
    status is known on the consultation's row, not the comment's).
    """
    answered = OfficialResponse.comments.through.objects.filter(comment_id=OuterRef("pk"))
    return Comment.objects.filter(public_comment(), parent__isnull=True).filter(~Exists(answered))


def _count(queryset: QuerySet, field_name: str = "pk") -> Coalesce:
    """The number of rows of `queryset` that belong to the outer consultation."""
    counted = (
        queryset.order_by()
        .values("proposal_id")
        .annotate(n=Count(field_name, distinct=field_name != "pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _summary_read_at() -> Subquery:
    """When the latest finished summary started reading the data."""
    done = SummaryRun.objects.filter(proposal_id=OuterRef("pk"), state=RunState.DONE)
    return Subquery(
        done.order_by("-created_at", "-pk").values(read_at=Coalesce("started_at", "created_at"))[:1]
    )


def _summary_stale() -> Q:
    """A comment written, or a vote cast or changed, after the summary read the data."""
    since = OuterRef("summary_read_at")
    newer_comment = Comment.objects.filter(proposal_id=OuterRef("pk"), created_at__gt=since)
    newer_vote = CommentVote.objects.filter(
        comment__proposal_id=OuterRef("pk"), updated_at__gt=since
    )
    return Q(summary_read_at__isnull=False) & (Q(Exists(newer_comment)) | Q(Exists(newer_vote)))


def dashboard_queryset(*, user: User) -> QuerySet[Proposal]:
    """The consultations of the official's departments, each annotated with
    what needs attention, most pressing first.

    The order: first those with something to do (comments reported and not
    yet decided by a moderator, comments awaiting an official response,
    changes to the working draft not published, a closed consultation whose
    report is not published); within them and then among the rest, the most
    reported first, then the most awaiting, then the soonest to close, then
    the most recently edited.
    """
    departments = department_ids_for_role(user=user, role=Role.OFFICIAL)
    open_reports = Report.objects.filter(
        comment__proposal_id=OuterRef("pk"), resolved_at__isnull=True
    ).annotate(proposal_id=F("comment__proposal_id"))
    awaiting = awaiting_response().filter(proposal_id=OuterRef("pk"))
    active_run = SummaryRun.objects.filter(proposal_id=OuterRef("pk"), state__in=ACTIVE_STATES)
    queryset = with_unpublished_changes(
        Proposal.objects.filter(department__in=departments)
        .with_effective_status()
        .select_related("department", "current_version")
        .annotate(
            reported=_count(open_reports, "comment_id"),
            awaiting_all=_count(awaiting),
            summary_read_at=_summary_read_at(),
            summary_running=Exists(active_run),
            report_state=F("report__state"),
        )
    )
    answering = Q(live_status__in=ANSWERING)
    queryset = queryset.annotate(
        awaiting=Case(When(answering, then=F("awaiting_all")), default=Value(0)),
        summary_stale=Case(When(_summary_stale(), then=Value(True)), default=Value(False)),
    )
    report_due = Q(live_status=Status.CLOSED) & ~Q(report_state=ReportState.PUBLISHED)
    return queryset.annotate(
        needs_attention=Case(
            When(
                Q(reported__gt=0) | Q(awaiting__gt=0) | Q(unpublished_changes=True) | report_due,
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by(
        "-needs_attention",
        "-reported",
        "-awaiting",
        F("closes_at").asc(nulls_last=True),
        "-updated_at",
        "-pk",
    )


def most_agreed_unanswered(proposal_ids: list[int]) -> dict[int, list[Comment]]:
    """The TOP_AGREED comments awaiting a response with the most agree votes
    (at least one) in each of these consultations, in one query: ranked
    within their consultation by a window function, most agreed first, the
    older first on a tie."""
    if not proposal_ids:
        return {}
    ranked = (
        awaiting_response()
        .filter(proposal_id__in=proposal_ids, agree_count__gt=0)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("proposal_id")],
                order_by=[F("agree_count").desc(), F("created_at").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=TOP_AGREED)
        .only("pk", "proposal_id", "body", "agree_count", "created_at")
        .order_by("proposal_id", "rank")
    )
    found: dict[int, list[Comment]] = defaultdict(list)
    for comment in ranked:
        found[comment.proposal_id].append(comment)
    return found


@dataclass
class Row:
    """One consultation on the dashboard, with what needs attention."""

    proposal: Proposal
    top_agreed: list[Comment] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.proposal.live_status

    @property
    def awaiting(self) -> int:
        return self.proposal.awaiting

    @property
    def reported(self) -> int:
        return self.proposal.reported

    @property
    def answering(self) -> bool:
        return self.status in ANSWERING and not self.proposal.archived

    @property
    def deletable(self) -> bool:
        """Offered for deletion: a draft never published. The confirmation
        page and the service check the rest (proposals.services.drafts)."""
        return self.status == Status.DRAFT and self.proposal.current_version_id is None

    def days_left(self, now: datetime | None = None) -> int | None:
        """Whole days until an open consultation closes, a part day counting as one."""
        closes_at = self.proposal.closes_at
        if self.status != Status.OPEN or closes_at is None:
            return None
        seconds = (closes_at - (now or timezone.now())).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    @property
    def summary(self) -> str:
        proposal = self.proposal
        if proposal.summary_running:
            return SUMMARY_RUNNING
        if proposal.summary_read_at is None:
            answered_or_done = self.status in (*ANSWERING, Status.REPORT_PUBLISHED)
            return SUMMARY_MISSING if answered_or_done else SUMMARY_NONE
        return SUMMARY_STALE if proposal.summary_stale else SUMMARY_CURRENT

    @property
    def report_state(self) -> str | None:
        return self.proposal.report_state


@dataclass
class Dashboard:
    page: Page
    rows: list[Row]

    @property
    def needing_attention(self) -> int:
        return sum(1 for row in self.rows if row.proposal.needs_attention)


def dashboard(*, user: User, page: str | int | None = 1) -> Dashboard:
    """A page of the official's dashboard: three queries, whatever the sizes."""
    page_obj = Paginator(dashboard_queryset(user=user), PAGE_SIZE).get_page(page)
    proposals = list(page_obj.object_list)
    agreed = most_agreed_unanswered([p.pk for p in proposals if p.live_status in ANSWERING])
    rows = [Row(proposal=p, top_agreed=agreed.get(p.pk, [])) for p in proposals]
    return Dashboard(page=page_obj, rows=rows)
