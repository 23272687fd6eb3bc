"""A new password ends every personal access token of the person, as it ends
every session: a token made by whoever held the old password stops too."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver

from consult.api.tokens import tokens_revoke_all


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _revoke_on_new_password(sender, request, user, **kwargs) -> None:
    tokens_revoke_all(user=user)
