"""Reads of the moderation logs of one consultation.

The public log says how the discussion was moderated, in counts and in the
public reason of each hidden comment: never who wrote or hid a comment, its
words, a reporter's note or anyone's id. The moderators' audit log is every
recorded action in the consultation's scope, with who, before and after.
Both are a fixed number of queries whatever the size of the log: counts are
aggregated by the database, lists are paginated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import AuditEntry
from discussion.models import Comment, Report, ReportReason
from discussion.submissions.models import FormAnswer, Publication, ResponseStatus
from proposals.models import Proposal

PUBLIC_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
HOLD = "comment.hold"
ANSWER_HOLD = "answer.hold"
# The consultation's own history (drafts, versions, its window) is not
# moderation; its versions page shows it.
NOT_MODERATION = "proposal."
ACTION_LABELS = {
    "comment.hide": _("Hidden by a moderator"),
    "comment.hide_pending_review": _("Hidden pending review after reports"),
    "comment.restore": _("Restored"),
    HOLD: _("Held for review"),
    "comment.approve": _("Approved after review"),
    "comment.reject": _("Not published after review"),
    "reports.dismiss": _("Reports dismissed"),
    "comment.highlight": _("Highlighted"),
    "comment.unhighlight": _("Highlight removed"),
    "comment.pin": _("Pinned"),
    "comment.unpin": _("Unpinned"),
    "comment.mark_duplicate": _("Marked as a duplicate"),
    "comment.unmark_duplicate": _("Duplicate mark removed"),
    "comment.theme_add": _("Theme added"),
    "comment.theme_remove": _("Theme removed"),
    "comment.claim_take_over": _("Review taken over by another moderator"),
    "appeal.create": _("Appeals made"),
    "appeal.decide": _("Appeals decided"),
    ANSWER_HOLD: _("Answers held for review"),
    "answer.approve": _("Answers approved after review"),
    "answer.reject": _("Answers not published after review"),
    "answer.hide": _("Answers hidden by a moderator"),
    "answer.restore": _("Answers restored"),
    "response.post": _("Official responses published"),
    "moderation.policy_update": _("Pre-moderation rules changed"),
    "user.suspend": _("Participants suspended"),
    "user.ban": _("Participants banned"),
    "user.lift": _("Suspensions or bans lifted"),
    # The consultation's own history, on the moderators' audit log only.
    "proposal.created": _("Consultation created"),
    "proposal.updated": _("Consultation details changed"),
    "proposal.version_published": _("Version published"),
    "proposal.scheduled": _("Consultation window set"),
    "proposal.extended": _("Consultation extended"),
    "proposal.closed_early": _("Consultation closed early"),
    "proposal.opened": _("Consultation opened"),
    "proposal.closed": _("Consultation closed"),
    "proposal.withdrawn": _("Consultation withdrawn"),
    "proposal.deleted": _("Draft deleted"),
    "proposal.attachment_added": _("Document attached"),
    "proposal.attachment_removed": _("Document removed"),
}
OTHER_ACTION = _("Other action (%(action)s)")
STATUS_HIDDEN = _("Hidden by a moderator")
STATUS_PENDING = _("Hidden pending review after reports")
STATUS_NOT_PUBLISHED = _("Not published after review")
PENDING_REASON = _("Hidden pending review after reports from readers.")


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else str(OTHER_ACTION % {"action": action})


def scope_of(proposal: Proposal) -> str:
    return f"proposal:{proposal.pk}"


@dataclass
class Tally:
    key: str
    label: str
    count: int
    # Of the largest count in its list, for the bar chart (0-100).
    share: int = 0


def _tallies(counts: dict[str, int], label) -> list[Tally]:
    rows = [Tally(key, label(key), n) for key, n in counts.items() if n]
    rows.sort(key=lambda row: (-row.count, row.label))
    top = max((row.count for row in rows), default=0)
    for row in rows:
        row.share = round(100 * row.count / top) if top else 0
    return rows


def _choice_label(choices: type[ReportReason]):
    labels = dict(choices.choices)
    return lambda key: str(labels.get(key, key))


@dataclass
class PublicLog:
    actions: list[Tally]
    categories: list[Tally]
    report_reasons: list[Tally]
    hidden: Page
    chart: list[dict] = field(default_factory=list)
    answer_categories: list[Tally] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.actions or self.report_reasons or self.hidden.paginator.count)


def _action_counts(proposal: Proposal) -> dict[str, int]:
    rows = (
        AuditEntry.objects.filter(scope=scope_of(proposal))
        .exclude(action__startswith=NOT_MODERATION)
        .values("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["action"]: row["n"] for row in rows}
    # Holding is done by the rules, not by a person, so it is not an audited
    # action: every comment or answer ever held keeps its reasons, and is
    # counted here (both in one query).
    held = Proposal.objects.filter(pk=proposal.pk).values(
        held_comments=_count(
            Comment.objects.filter(proposal=OuterRef("pk")).exclude(held_reasons=[])
        ),
        held_answers=_count(
            # Answers of responses not to be published are never reviewed.
            FormAnswer.objects.filter(
                response__proposal=OuterRef("pk"),
                response__status=ResponseStatus.SUBMITTED,
            )
            .exclude(response__publication=Publication.WITHHELD)
            .exclude(held_reasons=[])
        ),
    )[0]
    counts.setdefault(HOLD, held["held_comments"])
    counts.setdefault(ANSWER_HOLD, held["held_answers"])
    return counts


def _count(rows) -> Coalesce:
    """How many rows, as a subquery of the consultation's row."""
    counted = rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0, output_field=IntegerField())


def _category_counts(proposal: Proposal) -> tuple[dict[str, int], dict[str, int]]:
    """Why comments, and answers' words, hidden now were hidden (one query)."""
    comments = (
        Comment.objects.filter(proposal=proposal, hidden_at__isnull=False)
        .exclude(hidden_category="")
        .values("hidden_category")
        .annotate(n=Count("id"), answers=Value(0))
        .order_by()
    )
    answers = (
        FormAnswer.objects.filter(
            response__proposal=proposal,
            response__status=ResponseStatus.SUBMITTED,
            hidden_at__isnull=False,
        )
        .exclude(response__publication=Publication.WITHHELD)
        .exclude(hidden_category="")
        .values("hidden_category")
        .annotate(n=Count("id"), answers=Value(1))
        .order_by()
    )
    found: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for row in comments.union(answers, all=True).order_by():
        found[row["answers"]][row["hidden_category"]] = row["n"]
    return found


def _report_counts(proposal: Proposal) -> dict[str, int]:
    rows = (
        Report.objects.filter(comment__proposal=proposal)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["reason"]: row["n"] for row in rows}


# What a public row may carry: no author, words, moderator or note. Hidden
# comments and hidden answers are listed together (one count, one page), in
# the same columns.
def _public_columns(**answer_columns) -> dict:
    columns = {
        "log_at": F("hidden_at"),
        "log_reason": F("hidden_reason"),
        "log_category": F("hidden_category"),
        "log_pending": F("hidden_pending_review"),
        "log_held": F("held_at"),
        "log_section_id": F("section_id"),
        "log_section": F("section__heading"),
        "log_question_id": F("question_id"),
        "log_question": F("question__prompt"),
        "log_answer_to": Value(None, output_field=CharField()),
        "log_id": F("pk"),
    }
    return {**columns, **answer_columns}


def _hidden_page(proposal: Proposal, page) -> Page:
    comments = Comment.objects.filter(proposal=proposal, hidden_at__isnull=False).values(
        **_public_columns()
    )
    none = Value(None, output_field=IntegerField())
    answers = (
        FormAnswer.objects.filter(
            response__proposal=proposal,
            response__status=ResponseStatus.SUBMITTED,
            hidden_at__isnull=False,
        )
        .exclude(response__publication=Publication.WITHHELD)
        .values(
            **_public_columns(
                log_pending=Value(False, output_field=BooleanField()),
                log_section_id=none,
                log_section=Value(None, output_field=CharField()),
                log_question_id=none,
                log_question=Value(None, output_field=CharField()),
                log_answer_to=F("question__prompt"),
            )
        )
    )
    rows = comments.order_by().union(answers.order_by(), all=True).order_by("-log_at", "-log_id")
    page_obj = Paginator(rows, PUBLIC_PAGE_SIZE).get_page(page)
    categories = _choice_label(ReportReason)
    page_obj.object_list = [_public_row(row, categories) for row in page_obj.object_list]
    return page_obj


def _public_row(row: dict, categories) -> dict:
    if row["log_pending"]:
        status, reason = STATUS_PENDING, PENDING_REASON
    else:
        status = STATUS_NOT_PUBLISHED if row["log_held"] else STATUS_HIDDEN
        reason = row["log_reason"]
    return {
        "at": row["log_at"],
        "status": status,
        "reason": reason,
        "category": categories(row["log_category"]) if row["log_category"] else "",
        "section_id": row["log_section_id"],
        "section": row["log_section"],
        "question_id": row["log_question_id"],
        "question": row["log_question"],
        "answer_to": row["log_answer_to"],
    }


def moderation_log(*, proposal: Proposal, page: str | int | None = 1) -> PublicLog:
    """The public moderation log of one consultation."""
    actions = _tallies(_action_counts(proposal), action_label)
    categories, answer_categories = _category_counts(proposal)
    log = PublicLog(
        actions=actions,
        categories=_tallies(categories, _choice_label(ReportReason)),
        report_reasons=_tallies(_report_counts(proposal), _choice_label(ReportReason)),
        hidden=_hidden_page(proposal, page),
        answer_categories=_tallies(answer_categories, _choice_label(ReportReason)),
    )
    log.chart = chart_rows(actions)
    return log


# The bar chart's geometry, in the SVG's own units.
CHART_ROW = 44
CHART_BAR = 18
CHART_WIDTH = 320


def chart_rows(tallies: list[Tally]) -> list[dict]:
    """Positions of each bar: the label above it, the count after it."""
    rows = []
    for index, tally in enumerate(tallies):
        top = index * CHART_ROW
        width = max(2, round(CHART_WIDTH * tally.share / 100))
        rows.append(
            {
                "tally": tally,
                "label_y": top + 14,
                "bar_y": top + 20,
                "width": width,
                "count_x": width + 6,
                "count_y": top + 20 + CHART_BAR - 4,
            }
        )
    return rows


def chart_height(rows: list[dict]) -> int:
    return len(rows) * CHART_ROW


# --- the moderators' audit log ----------------------------------------------


@dataclass
class AuditRow:
    entry: AuditEntry
    label: str
    changes: list[tuple[str, str, str]]
    target_url: str


def _shown(value) -> str:
    """A before or after value as text (escaped by the template, like all of it)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field either side recorded."""
    before, after = before or {}, after or {}
    return [
        (
            key,
            _shown(before[key]) if key in before else "",
            _shown(after[key]) if key in after else "",
        )
        for key in dict.fromkeys([*before, *after])
    ]


def _target_url(entry: AuditEntry) -> str:
    if entry.target_type != "discussion.comment":
        return ""
    try:
        return reverse("discussion:comment", kwargs={"pk": int(entry.target_id)})
    except (ValueError, NoReverseMatch):
        return ""


def audit_actions(*, proposal: Proposal) -> list[tuple[str, str]]:
    """The actions found in the consultation's log, for the filter."""
    found = (
        AuditEntry.objects.filter(scope=scope_of(proposal))
        .values_list("action", flat=True)
        .distinct()
        .order_by("action")
    )
    return [(action, action_label(action)) for action in found]


def audit_log(*, proposal: Proposal, action: str = "", page: str | int | None = 1) -> Page:
    """Every recorded action in the consultation's scope, newest first."""
    entries = AuditEntry.objects.filter(scope=scope_of(proposal)).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    page_obj = Paginator(entries.order_by("-at", "-pk"), AUDIT_PAGE_SIZE).get_page(page)
    page_obj.object_list = [
        AuditRow(
            entry=entry,
            label=action_label(entry.action),
            changes=_changes(entry.before, entry.after),
            target_url=_target_url(entry),
        )
        for entry in page_obj.object_list
    ]
    return page_obj
