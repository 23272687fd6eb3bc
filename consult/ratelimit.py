"""Rate limits kept in Redis, shared by every way in (forms and sockets).

A limit is a number of actions in a window of seconds, counted per person and
per address in fixed windows. When Redis is away the action goes ahead and
the gap is logged: a slow spammer is a smaller harm than a lost comment.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consult import redis_client

logger = logging.getLogger(__name__)

PREFIX = "consult:rate"


def address(ip: str | None) -> str:
    """Who an address is, for counting: a keyed hash, never the address
    itself, so Redis holds no IP addresses; each count expires with its window."""
    key = hashlib.sha256(f"consult.ratelimit:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, (ip or "unknown").encode(), hashlib.sha256).hexdigest()[:24]
    return f"ip{digest}"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'10/60' is ten actions a minute."""
        count, _slash, seconds = text.partition("/")
        return cls(int(count), int(seconds))


class RateLimited(PermissionDenied):
    """Too many actions too quickly. `retry_after` is in whole seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


TOO_FAST = _("You are doing that too often.")


def wait_message(retry_after: int) -> str:
    minutes = math.ceil(retry_after / 60)
    if retry_after <= 90:
        wait = ngettext(
            "Please wait %(n)d second and try again.",
            "Please wait %(n)d seconds and try again.",
            retry_after,
        ) % {"n": retry_after}
    else:
        wait = ngettext(
            "Please wait %(n)d minute and try again.",
            "Please wait %(n)d minutes and try again.",
            minutes,
        ) % {"n": minutes}
    return f"{TOO_FAST} {wait}"


def hit(action: str, limits: list[tuple[str, Rate]]) -> None:
    """Count one action against each (who, rate) pair; raise RateLimited if
    any is over. Every window is counted even when one refuses, so hammering
    a limit does not reset it."""
    client = redis_client.client()
    if client is None or not limits:
        return
    now = time.time()
    keys = []
    try:
        with client.pipeline(transaction=False) as pipe:
            for who, rate in limits:
                window = int(now // rate.seconds)
                key = f"{PREFIX}:{action}:{who}:{rate.count}/{rate.seconds}:{window}"
                keys.append((key, rate, window))
                pipe.incr(key)
                pipe.expire(key, rate.seconds + 1)
            counts = pipe.execute()[::2]
    except redis.RedisError:
        logger.warning("rate limit for %s not checked: Redis unreachable", action)
        return
    waits = [
        math.ceil((window + 1) * rate.seconds - now)
        for (_key, rate, window), count in zip(keys, counts, strict=True)
        if count > rate.count
    ]
    if waits:
        retry_after = max(1, max(waits))
        raise RateLimited(wait_message(retry_after), retry_after)
