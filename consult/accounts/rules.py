"""Role predicates across the department hierarchy.

A role granted in a department holds in that department and every one below
it, so a check walks up from the target: one indexed query, whatever the depth.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Department, Membership, Role, User
from consult.accounts.second_factor import PENDING


def is_citizen(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


SUSPENDED = _(
    "Your account is suspended from taking part until %(until)s. Reason given: %(reason)s"
)
BANNED = _("Your account is banned from taking part. Reason given: %(reason)s")


def ensure_not_sanctioned(user: User) -> None:
    """A moderator's suspension or ban, with its reason, as the refusal. Pass
    a fresh row: the check is only as current as the object."""
    if user.banned_at is not None:
        raise PermissionDenied(BANNED % {"reason": user.sanction_reason or "-"})
    if user.sanctioned():
        until = formats.date_format(timezone.localtime(user.suspended_until), "DATETIME_FORMAT")
        raise PermissionDenied(SUSPENDED % {"until": until, "reason": user.sanction_reason or "-"})


def is_staff_admin(user: User | AnonymousUser) -> bool:
    # A request's user whose session has not passed the second factor is
    # marked by consult.accounts.middleware: no staff powers meanwhile.
    return bool(is_citizen(user) and user.is_staff and not getattr(user, PENDING, False))


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
