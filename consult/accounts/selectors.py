"""Reads about accounts and roles."""

from django.db.models import Q, QuerySet

from consult.accounts.models import Department, Membership, Role, User


def department_ids_for_role(*, user: User, role: Role | str) -> QuerySet[Department]:
    """Departments where the user holds the role, directly or through one above."""
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


def membership_list_for_user(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("department")
        .order_by("department__path", "role")
    )
