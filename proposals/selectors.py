"""Every read of proposals that a page, the API or a consumer needs."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from proposals.models import PUBLIC_STATUSES, Proposal, Status

HOME_LIMIT = 6


def proposal_public_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "department", "jurisdiction"
    )


# What a visitor can still act on comes first: open, then opening soon.
HOME_ORDER = Case(
    When(status=Status.OPEN, then=Value(0)),
    When(status=Status.SCHEDULED, then=Value(1)),
    When(status=Status.REPORT_PUBLISHED, then=Value(2)),
    When(status=Status.CLOSED, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def proposal_list_for_home() -> list[Proposal]:
    return list(proposal_public_queryset().order_by(HOME_ORDER, "closes_at", "pk")[:HOME_LIMIT])


def proposal_list_public() -> QuerySet[Proposal]:
    return proposal_public_queryset().order_by("-opens_at", "pk")


def proposal_get_public(*, slug: str) -> Proposal:
    return proposal_public_queryset().get(slug=slug)
