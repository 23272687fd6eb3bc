"""Every read of proposals that a page, the API or a consumer needs."""

from django.db.models import QuerySet

from proposals.models import PUBLIC_STATUSES, Proposal

HOME_LIMIT = 6


def proposal_public_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "department", "jurisdiction"
    )


def proposal_list_for_home() -> list[Proposal]:
    return list(proposal_public_queryset().order_by("closes_at", "pk")[:HOME_LIMIT])


def proposal_list_public() -> QuerySet[Proposal]:
    return proposal_public_queryset().order_by("-opens_at", "pk")


def proposal_get_public(*, slug: str) -> Proposal:
    return proposal_public_queryset().get(slug=slug)
