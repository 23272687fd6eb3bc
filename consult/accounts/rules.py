"""Who may act at all: a signed-in active person, one under no sanction, a
staff admin. Roles in departments: consult.accounts.roles."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
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
