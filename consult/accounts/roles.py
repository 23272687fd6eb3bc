"""Who holds which role where: the one place that answers it.

A role (official, moderator) is granted by a Membership in a department and
holds there and in every department below it, so a check walks up from the
target: one indexed query, whatever the depth.

Role powers need a person who is signed in and active, and are never held
while suspended or banned (a moderator's sanction: consult.accounts.models.
User.sanctioned). The membership stays and its powers come back when the
sanction ends. Being a staff admin is not a role: consult.accounts.rules.
Every check reads the user object it is given: pass a fresh row where a
sanction may have just been decided.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone

from consult.accounts.models import Department, Membership, Role, User


def acts_in_roles(user: User | AnonymousUser) -> bool:
    """Signed in, active and under no sanction: whatever roles they hold count."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and not user.sanctioned()
    )


def has_role(user: User | AnonymousUser, role: Role | str, department: Department) -> bool:
    if not acts_in_roles(user):
        return False
    return Membership.objects.filter(
        user_id=user.pk, role=Role(role), department_id__in=department.ancestor_ids()
    ).exists()


def is_official_for(user: User | AnonymousUser, department: Department) -> bool:
    return has_role(user, Role.OFFICIAL, department)


def is_moderator_for(user: User | AnonymousUser, department: Department) -> bool:
    return has_role(user, Role.MODERATOR, department)


def is_clerk_for(user: User | AnonymousUser, department: Department) -> bool:
    return has_role(user, Role.CLERK, department)


def holds_role(user: User | AnonymousUser, role: Role | str) -> bool:
    """Holds the role somewhere (to show the screens that go with it)."""
    if not acts_in_roles(user):
        return False
    return Membership.objects.filter(user_id=user.pk, role=Role(role)).exists()


def roles_held(user: User | AnonymousUser) -> frozenset[str]:
    """Every role the person holds somewhere, in one query."""
    if not acts_in_roles(user):
        return frozenset()
    return frozenset(
        Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct()
    )


def department_ids_for_role(
    *, user: User | AnonymousUser, role: Role | str
) -> QuerySet[Department]:
    """Departments where the user holds the role, directly or through one above."""
    if not acts_in_roles(user):
        return Department.objects.none()
    granted_paths = list(
        Membership.objects.filter(user_id=user.pk, role=Role(role)).values_list(
            "department__path", flat=True
        )
    )
    if not granted_paths:
        return Department.objects.none()
    below_any = Q()
    for path in granted_paths:
        below_any |= Q(path__startswith=path)
    return Department.objects.filter(below_any)


def granted_department_ids(*, user_id: int, role: Role | str) -> list[int]:
    """The departments where the person was granted the role themselves (not
    those below), read fresh in one query: none while they are inactive,
    suspended or banned."""
    now = timezone.now()
    return list(
        Membership.objects.filter(user_id=user_id, role=Role(role), user__is_active=True)
        .filter(user__banned_at__isnull=True)
        .exclude(user__suspended_until__gt=now)
        .values_list("department_id", flat=True)
    )


def in_role_scope(user: User | AnonymousUser, role: Role | str, path: str) -> Exists:
    """For annotating rows: is the department whose path is at `path` (a
    lookup such as "proposal__department__path") one where the user holds
    the role, directly or through one above?"""
    if not acts_in_roles(user):
        return Exists(Membership.objects.none())
    return Exists(
        Membership.objects.filter(user_id=user.pk, role=Role(role)).filter(
            StartsWith(OuterRef(path), F("department__path"))
        )
    )


def granted_any_role(*, user_id: int) -> bool:
    """Has the person been granted any role (whether or not its powers hold
    now)? An official or moderator is beyond one department's sanctions."""
    return Membership.objects.filter(user_id=user_id).exists()
