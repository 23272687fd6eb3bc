"""The signed link in every email that stops emails without signing in.

The token carries the person's id, what to stop (a kind, or "all") and a
check derived from their id and email address with the secret key: it has
no expiry, but it stops working when the account is deleted or anonymised
(its address changes), and nobody can make one for someone else.
"""

from __future__ import annotations

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from consult.accounts.models import User
from consult.notifications.models import ALL_KINDS, Kind

SALT = "consult.notifications.unsubscribe"
# Longer than any token this module makes; anything longer is refused unread.
TOKEN_MAX_LENGTH = 200


class BadToken(Exception):
    """Not a token of ours, tampered with, or for an account that is gone."""


def _owner_check(user: User) -> str:
    return salted_hmac(
        f"{SALT}.owner", f"{user.pk}:{user.email.lower()}", algorithm="sha256"
    ).hexdigest()[:16]


def token_for(*, user: User, kind: str) -> str:
    return signing.dumps([user.pk, kind, _owner_check(user)], salt=SALT)


def token_read(token: str) -> tuple[User, str]:
    """The person and what to stop, or BadToken."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise BadToken
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise BadToken from error
    if not (isinstance(data, list) and len(data) == 3):
        raise BadToken
    user_id, kind, check = data
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(check, str):
        raise BadToken
    if kind != ALL_KINDS and kind not in Kind.values:
        raise BadToken
    user = User.objects.filter(pk=user_id).first()
    if user is None or not constant_time_compare(check, _owner_check(user)):
        raise BadToken
    return user, kind
