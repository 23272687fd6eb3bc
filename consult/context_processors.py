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
