"""The API's side of the contracts in consult.accounts.signals: a person's
access tokens, revoked and unnamed with the account, and listed (names and
dates only) in "download my data"."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.accounts.signals import PersonalRows, account_erasing, personal_data
from consult.api.models import AccessToken
from consult.api.tokens import tokens_revoke_all

API_TOKENS = _("Your API tokens: names and dates only, never the tokens themselves.")


@receiver(account_erasing, dispatch_uid="api.erase")
def tokens_erase(sender, *, user: User, **kwargs) -> dict[str, int]:
    """Revoked, not forgotten: the rows stay, without the names the person gave them."""
    revoked = tokens_revoke_all(user=user)
    AccessToken.objects.filter(user=user).update(name="")
    return {"tokens_revoked": revoked}


@receiver(personal_data, dispatch_uid="api.personal_data")
def tokens_personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict]]:
    # Names and dates only: never the digest of the secret.
    rows = (
        AccessToken.objects.filter(user=user)
        .order_by("pk")
        .values(
            "name", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "revoked_at"
        )
    )
    return {"api_tokens": PersonalRows(rows, about=API_TOKENS)}
