"""What is public, in the shapes the open data and the API read.

What is public is said once, by the models' querysets
(`Proposal.objects.public()`, `Comment.objects.public()`,
`CommentVote.objects.public()`); these are the per-consultation shapes built on them:

- consultations in a public state (never a draft), with a published version;
- section texts from published versions only (never the draft being edited);
- comments that are not deleted, hidden or held, on those consultations;
- votes on those comments (their voters only as pseudonyms);
- stances only as counts; official responses; published reports;
- the response form as consult.opendata.form says (its docstring states the
  rule of each publication choice).
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from discussion.models import Comment, CommentVote, OfficialResponse
from proposals.models import (
    Proposal,
    ProposalStance,
    ProposalVersion,
    SectionStance,
    SectionVersion,
)


def proposals() -> QuerySet[Proposal]:
    return (
        Proposal.objects.public()
        .with_published_text()
        .select_related("department", "jurisdiction", "current_version")
    )


def comments(proposal: Proposal | int) -> QuerySet[Comment]:
    return Comment.objects.public().filter(proposal=proposal)


def votes(proposal: Proposal | int) -> QuerySet[CommentVote]:
    return CommentVote.objects.public().filter(comment__proposal=proposal)


def removed_comments(proposal: Proposal | int) -> QuerySet[Comment]:
    """The consultation's comments moderators hid (not their words: the fact).
    The opinion groups keep them as columns of zeros, as Polis keeps the
    comments its moderators remove (each of which holds its author's vote)."""
    return Comment.objects.filter(proposal=proposal, hidden_at__isnull=False, is_deleted=False)


def removed_comment_count(proposal: Proposal | int) -> int:
    return removed_comments(proposal).count()


def versions(proposal: Proposal | int) -> QuerySet[ProposalVersion]:
    return ProposalVersion.objects.filter(proposal=proposal).order_by("number")


def sections(version: ProposalVersion | int) -> QuerySet[SectionVersion]:
    return SectionVersion.objects.filter(version=version).order_by("order", "pk")


def sections_of(proposal: Proposal | int) -> QuerySet[SectionVersion]:
    """Every published version's sections, version by version."""
    return SectionVersion.objects.filter(version__proposal=proposal).order_by(
        "version__number", "order", "pk"
    )


def responses(proposal: Proposal | int) -> QuerySet[OfficialResponse]:
    return OfficialResponse.objects.filter(proposal=proposal).order_by("created_at", "pk")


def stance_counts(proposal: Proposal | int) -> dict[int | None, dict[str, int]]:
    """{section id or None for the whole proposal: {value: count}}: two queries."""
    counts: dict[int | None, dict[str, int]] = {}
    for value, n in (
        ProposalStance.objects.filter(proposal=proposal)
        .values_list("value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(None, {})[value] = n
    for section_id, value, n in (
        SectionStance.objects.filter(proposal=proposal)
        .values_list("section_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(section_id, {})[value] = n
    return counts
