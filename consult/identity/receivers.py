"""The identity app's side of the contracts in consult.accounts.signals."""

from __future__ import annotations

from django.dispatch import receiver

from consult.accounts.signals import account_erasing, personal_data
from consult.identity import services
from consult.identity.methods import method_get
from consult.identity.models import Verification


@receiver(account_erasing, dispatch_uid="identity.erase")
def _erase(sender, user, **kwargs) -> None:
    services.identity_erase(user=user)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@receiver(personal_data, dispatch_uid="identity.personal_data")
def _personal_data(sender, user, **kwargs) -> dict[str, list[dict]]:
    """What the person asked and what was decided; never digests, numbers or codes."""
    rows = []
    for verification in Verification.objects.filter(user_id=user.pk).select_related("jurisdiction"):
        method = method_get(verification.method)
        rows.append(
            {
                "method": verification.method,
                "method_name": str(method.label) if method else verification.method,
                "jurisdiction": verification.jurisdiction.name,
                "status": verification.status,
                "created_at": _iso(verification.created_at),
                "decided_at": _iso(verification.decided_at),
                "reason": verification.reason_text(),
            }
        )
    return {"identity_verifications": rows}
