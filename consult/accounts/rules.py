"""Role predicates across the department hierarchy.

A role granted in a department holds in that department and every one below
it, so a check walks up from the target: one indexed query, whatever the depth.
"""

from django.contrib.auth.models import AnonymousUser

from consult.accounts.models import Department, Membership, Role, User


def is_citizen(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_staff_admin(user: User | AnonymousUser) -> bool:
    return bool(is_citizen(user) and user.is_staff)


def has_role(user: User | AnonymousUser, role: Role | str, department: Department) -> bool:
    if not is_citizen(user):
        return False
    return Membership.objects.filter(
        user_id=user.pk, role=Role(role), department_id__in=department.ancestor_ids()
    ).exists()


def is_official_for(user: User | AnonymousUser, department: Department) -> bool:
    return has_role(user, Role.OFFICIAL, department)


def is_moderator_for(user: User | AnonymousUser, department: Department) -> bool:
    return has_role(user, Role.MODERATOR, department)
