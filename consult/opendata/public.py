"""What is public, in one place: every open-data shape reads through here.

- consultations in a public state (never a draft), with a published version;
- section texts from published versions only (never the draft being edited);
- comments that are not deleted, hidden or held, on those consultations;
- votes on those comments (their voters only as pseudonyms);
- stances only as counts; official responses; published reports.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from discussion.models import Comment, CommentVote, OfficialResponse
from proposals.models import (
    PUBLIC_STATUSES,
    Proposal,
    ProposalStance,
    ProposalVersion,
    SectionStance,
    SectionVersion,
)


def proposals() -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        status__in=PUBLIC_STATUSES, current_version__isnull=False
    ).select_related("department", "jurisdiction", "current_version")


def comments(proposal: Proposal | int) -> QuerySet[Comment]:
    return Comment.objects.filter(
        proposal=proposal, is_deleted=False, hidden_at__isnull=True, held_at__isnull=True
    )


def votes(proposal: Proposal | int) -> QuerySet[CommentVote]:
    return CommentVote.objects.filter(
        comment__proposal=proposal,
        comment__is_deleted=False,
        comment__hidden_at__isnull=True,
        comment__held_at__isnull=True,
    )


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
