"""Personal access tokens: made and revoked by their owner in their account.

A token reads as its owner and, if it may write, comments, replies, votes and
takes stances through the same services and limits as the web pages. It never
reaches further than its owner: it stops when the owner's account is closed,
and the services refuse a suspended or banned owner as they refuse the pages.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.api.models import NAME_MAX_LENGTH, AccessToken
from consult.infra import names

SCHEME = "cst"
MAX_ACTIVE_PER_USER = 20
LIFETIMES = (30, 90, 365)  # days
DEFAULT_LIFETIME = 90
# Last use is written at most this often: a busy client is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)

NAME_REQUIRED = _("Give the token a name, so that you know later what it is for.")
NAME_TOO_LONG = _("The name can have at most %(limit)d characters.")
NAME_CHARACTERS = _("Use letters, numbers, spaces and ordinary punctuation only.")
LIFETIME_INVALID = _("Choose one of the lifetimes offered.")
TOO_MANY = _(
    "You have %(limit)d active tokens, the most allowed. Revoke one you no longer use first."
)
SIGN_IN = _("Sign in to manage your tokens.")


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, name: str, can_write: bool, days: int = DEFAULT_LIFETIME
) -> tuple[AccessToken, str]:
    """Make a token; returns it and its secret, which is never stored or shown again."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    name = names.tidy(name)
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": NAME_TOO_LONG % {"limit": NAME_MAX_LENGTH}})
    if not names.is_clean(name):
        raise ValidationError({"name": NAME_CHARACTERS})
    if days not in LIFETIMES:
        raise ValidationError({"days": LIFETIME_INVALID})
    # Locked: two forms sent at once cannot both slip under the cap.
    User.objects.select_for_update().get(pk=actor.pk)
    now = timezone.now()
    active = AccessToken.objects.filter(user=actor, revoked_at__isnull=True).exclude(
        expires_at__lte=now
    )
    if active.count() >= MAX_ACTIVE_PER_USER:
        raise ValidationError(TOO_MANY % {"limit": MAX_ACTIVE_PER_USER})
    for _attempt in range(3):
        # 48 random bits name the token; a clash (rare) draws again.
        prefix = f"{SCHEME}_{secrets.token_hex(6)}"
        if not AccessToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=actor,
        name=name,
        prefix=prefix,
        digest=digest(raw),
        can_write=bool(can_write),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, raw


def token_revoke(*, actor: User, token_id: int) -> AccessToken:
    """Revoke one of the actor's own tokens (another's is not found)."""
    token = AccessToken.objects.get(pk=token_id, user=actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user: User) -> int:
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_for(raw: str) -> AccessToken | None:
    """The live token for this secret and its active owner, or None."""
    if not raw.startswith(f"{SCHEME}_") or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        AccessToken.objects.select_related("user")
        .filter(digest=digest(raw), revoked_at__isnull=True, user__is_active=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if token is not None and (token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User):
    return AccessToken.objects.filter(user=user)
