"""Reads about accounts and roles (who holds a role where: consult.accounts.roles)."""

from consult.accounts.models import Membership, User

# Still imported from here by discussion/ and tests/consult/test_roles.py; they
# move to consult.accounts.roles, then this line goes.
from consult.accounts.roles import department_ids_for_role  # noqa: F401


def membership_list_for_user(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("department")
        .order_by("department__path", "role")
    )
