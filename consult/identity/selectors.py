"""Reads about verified residents and the requests behind them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from consult.accounts import rules as account_rules
from consult.accounts.models import Jurisdiction, Role, User
from consult.accounts.roles import department_ids_for_role
from consult.identity.models import Status, Verification


def is_verified_resident(user: User | AnonymousUser, jurisdiction: Jurisdiction) -> bool:
    """Verified for this place or for one below it (a district resident is a
    resident of its city). One query."""
    if not getattr(user, "is_authenticated", False) or jurisdiction is None:
        return False
    place = (
        Q(jurisdiction__path__startswith=jurisdiction.path)
        if jurisdiction.path
        else Q(jurisdiction_id=jurisdiction.pk)
    )
    return Verification.objects.filter(place, user_id=user.pk, status=Status.VERIFIED).exists()


def verified_jurisdictions(user: User | AnonymousUser) -> list[Jurisdiction]:
    """The places the person is verified for; each also counts for every place above it."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Jurisdiction.objects.filter(
            pk__in=Verification.objects.filter(user_id=user.pk, status=Status.VERIFIED).values(
                "jurisdiction_id"
            )
        ).order_by("path")
    )


def verification_list_for_user(*, user: User) -> list[Verification]:
    return list(
        Verification.objects.filter(user_id=user.pk)
        .select_related("jurisdiction")
        .order_by("-created_at", "-pk")
    )


def _reviewable(user: User) -> Q | None:
    """Which requests the person may decide: all for staff admins; for
    officials, those of the places of their departments and below. None: no one's."""
    if not account_rules.is_citizen(user):
        return None
    if account_rules.is_staff_admin(user):
        return Q()
    paths = set(
        Jurisdiction.objects.filter(
            departments__in=department_ids_for_role(user=user, role=Role.OFFICIAL)
        ).values_list("path", flat=True)
    )
    if not paths:
        return None
    places = Q()
    for path in paths:
        places |= Q(jurisdiction__path__startswith=path)
    return places


def review_queue(
    *, user: User, methods: list[str], status: str = Status.PENDING
) -> QuerySet[Verification]:
    """Requests the reviewer may decide, oldest first; never their own."""
    places = _reviewable(user)
    if places is None:
        return Verification.objects.none()
    return (
        Verification.objects.filter(places, method__in=methods, status=status)
        .exclude(user_id=user.pk)
        .select_related("user", "jurisdiction")
        .order_by("created_at", "pk")
    )
