from django.utils.functional import SimpleLazyObject

from consult.accounts.models import Membership, Role


def roles(request) -> dict:
    """`is_official`: show the officials' screens in the menu? One query, only if used."""
    user = getattr(request, "user", None)

    def is_official() -> bool:
        if user is None or not user.is_authenticated:
            return False
        return Membership.objects.filter(user_id=user.pk, role=Role.OFFICIAL).exists()

    return {"is_official": SimpleLazyObject(is_official)}


def notifications(request) -> dict:
    """`unread_notifications`: the count beside the menu link. One query, only if used."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from consult.notifications.selectors import unread_count

        return unread_count(user_id=user.pk)

    return {"unread_notifications": SimpleLazyObject(unread)}
