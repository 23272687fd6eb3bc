"""Reads about accounts and roles (who holds a role where: consult.accounts.roles)."""

from consult.accounts.models import Membership, User


def membership_list_for_user(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("department")
        .order_by("department__path", "role")
    )
