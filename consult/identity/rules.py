"""Who may decide a verification: staff admins, and officials of a department
whose jurisdiction is the request's place or one above it. Nobody decides
their own."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from consult.accounts import rules as account_rules
from consult.accounts.models import Role, User
from consult.accounts.roles import department_ids_for_role
from consult.identity.models import Verification


def is_reviewer(user: User | AnonymousUser) -> bool:
    """Someone who may decide at least some requests (to show the queues)."""
    if not account_rules.is_citizen(user):
        return False
    return (
        account_rules.is_staff_admin(user)
        or department_ids_for_role(user=user, role=Role.OFFICIAL).exists()
    )


def can_review(user: User | AnonymousUser, verification: Verification) -> bool:
    if not account_rules.is_citizen(user) or verification.user_id == user.pk:
        return False
    if account_rules.is_staff_admin(user):
        return True
    return (
        department_ids_for_role(user=user, role=Role.OFFICIAL)
        .filter(jurisdiction_id__in=verification.jurisdiction.ancestor_ids())
        .exists()
    )
