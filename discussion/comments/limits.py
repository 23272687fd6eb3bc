"""The discussion's abuse limits, one set for the forms and the sockets alike.

Rates are those of "comment" and "vote" in consult.infra.ratelimit's table
(CONSULT_RATE_LIMITS replaces them: action -> {"user": [...], "ip": [...]}).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consult.infra import redis_client
from consult.infra.ratelimit import Rate, address, hit, rates

logger = logging.getLogger(__name__)

DEFAULT_SOCKETS_PER_USER = 12
# Readers not signed in, per address: several people can share one (a school,
# an office), so a little more room than one person gets.
DEFAULT_SOCKETS_PER_ADDRESS = 24
DEFAULT_MIN_FILL_SECONDS = 3

HONEYPOT_FILLED = _(
    "This form could not be sent because a hidden field meant for spam robots "
    "was filled in, perhaps by your browser's autofill. Your text is kept: send it again."
)
TOO_QUICK = _("That was sent faster than anyone could write it. Check your text and send it again.")
FORM_EXPIRED = _("This form is out of date. Your text is kept: send it again.")

_FILL_SALT = "discussion.fill"
# A form drawn longer ago than this is drawn again (its text kept): a token
# is not a pass for scripts to keep forever.
FILL_TOKEN_MAX_AGE = 24 * 3600
# Refusals that a fresh token cures: the reply carries one.
REDRAW_CODES = {"expired", "too_quick"}


def check(action: str, *, user, ip: str | None) -> None:
    """Count one action by this person from this address; raises RateLimited."""
    configured = rates(action)
    limits = []
    if getattr(user, "pk", None):
        limits += [(f"u{user.pk}", Rate.parse(rate)) for rate in configured.get("user", [])]
    if ip:
        limits += [(address(ip), Rate.parse(rate)) for rate in configured.get("ip", [])]
    hit(action, limits)


def fill_token(at: float | None = None) -> str:
    """A signed note of when a form was drawn, checked when it comes back."""
    return signing.dumps(round(at if at is not None else time.time(), 1), salt=_FILL_SALT)


def min_fill_seconds() -> float:
    return getattr(settings, "CONSULT_MIN_FILL_SECONDS", DEFAULT_MIN_FILL_SECONDS)


@dataclass(frozen=True)
class HumanCheck:
    """What a page's form (or its socket) sends to tell a person from a
    script: the signed time the form was drawn, and the honeypot field."""

    started: str | None
    honeypot: str | None


def check_human(*, started: str | None, honeypot: str | None) -> None:
    """The honeypot must be empty and the form at least a few seconds old."""
    if honeypot:
        raise ValidationError(HONEYPOT_FILLED, code="honeypot")
    try:
        drawn = float(signing.loads(started or "", salt=_FILL_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise ValidationError(FORM_EXPIRED, code="expired") from None
    if time.time() - drawn > FILL_TOKEN_MAX_AGE:
        raise ValidationError(FORM_EXPIRED, code="expired")
    if time.time() - drawn < min_fill_seconds():
        raise ValidationError(TOO_QUICK, code="too_quick")


def sockets_per_user() -> int:
    return getattr(settings, "CONSULT_SOCKETS_PER_USER", DEFAULT_SOCKETS_PER_USER)


def sockets_per_address() -> int:
    return getattr(settings, "CONSULT_SOCKETS_PER_ADDRESS", DEFAULT_SOCKETS_PER_ADDRESS)


class SocketCap:
    """How many live sockets one person (or, for readers not signed in, one
    address) holds open at once, across servers. A sorted set of channel
    names scored by when each was last heard from, so that the sockets of a
    crashed server stop counting. `who` is `person(user_id)` or a hashed
    address (consult.infra.ratelimit.address)."""

    STALE_AFTER = 90  # browsers ping every 30 s

    @staticmethod
    def person(user_id: int) -> str:
        return f"u{user_id}"

    @staticmethod
    def key(who: str) -> str:
        return f"consult:sockets:{who}"

    @classmethod
    def admit_all(cls, asks: list[tuple[str, str, int]]) -> list[bool]:
        """Count each socket, (who, channel, cap), in; False (and not counted)
        where `who` is at the cap. One round trip for the sockets of a herd
        opening together. Added and counted in one
        transaction, in this order, so that sockets opening at the same moment
        cannot all slip under the cap."""
        client = redis_client.client()
        if client is None:
            return [True] * len(asks)
        now = time.time()
        try:
            with client.pipeline() as pipe:
                for who, channel_name, _cap in asks:
                    key = cls.key(who)
                    pipe.zremrangebyscore(key, "-inf", now - cls.STALE_AFTER)
                    pipe.zadd(key, {channel_name: now})
                    pipe.expire(key, cls.STALE_AFTER * 2)
                    pipe.zcard(key)
                counts = pipe.execute()[3::4]
            caps = [cap for _who, _channel, cap in asks]
            admitted = [count <= cap for cap, count in zip(caps, counts, strict=True)]
            # Counted in the order Redis ran them, these included: past the
            # cap, they leave again.
            if not all(admitted):
                with client.pipeline() as pipe:
                    for (who, channel_name, _cap), ok in zip(asks, admitted, strict=True):
                        if not ok:
                            pipe.zrem(cls.key(who), channel_name)
                    pipe.execute()
            return admitted
        except redis.RedisError:
            logger.warning("socket cap not checked for %s sockets: Redis unreachable", len(asks))
            return [True] * len(asks)

    @classmethod
    def heard_all(cls, pipe, sockets: list[tuple[str, str]], now: float) -> None:
        """Queue on ``pipe``: each (channel, who) socket heard from at ``now``.
        Also brings back a socket pruned as stale (a laptop that slept)."""
        keys = set()
        for channel_name, who in sockets:
            keys.add(key := cls.key(who))
            pipe.zadd(key, {channel_name: now})
        for key in sorted(keys):
            pipe.expire(key, cls.STALE_AFTER * 2)

    @classmethod
    def release(cls, who: str, channel_name: str) -> None:
        client = redis_client.client()
        if client is None:
            return
        try:
            with client.pipeline() as pipe:
                pipe.zrem(cls.key(who), channel_name)
                pipe.expire(cls.key(who), cls.STALE_AFTER * 2)
                pipe.execute()
        except redis.RedisError:
            logger.warning("socket count not updated for %s: Redis unreachable", who)
