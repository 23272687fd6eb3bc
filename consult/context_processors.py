from django.utils.functional import SimpleLazyObject

from consult.accounts.models import Role
from consult.accounts.roles import roles_held


def roles(request) -> dict:
    """`is_official`, `is_moderator`, `is_clerk`: show the officials' screens,
    the moderation queue and response entry in the menu? One query for all,
    only if used."""
    user = getattr(request, "user", None)

    held_roles = SimpleLazyObject(lambda: roles_held(user) if user is not None else frozenset())
    return {
        "is_official": SimpleLazyObject(lambda: Role.OFFICIAL in held_roles),
        "is_moderator": SimpleLazyObject(lambda: Role.MODERATOR in held_roles),
        "is_clerk": SimpleLazyObject(lambda: Role.CLERK in held_roles),
    }


def notifications(request) -> dict:
    """`unread_notifications`: the count beside the menu link. One query, only if used."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from consult.notifications.selectors import unread_count

        return unread_count(user_id=user.pk)

    return {"unread_notifications": SimpleLazyObject(unread)}
