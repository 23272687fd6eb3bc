"""Rate limits kept in Redis, shared by every way in (forms and sockets).

A limit is a number of actions in a window of seconds, counted per person and
per address over a sliding window: each counted action is kept (in a sorted
set, by time) until it is one window old, so no stretch of that length ever
admits more than the limit, wherever it starts. When Redis is away the action
goes ahead and the gap is logged: a slow spammer is a smaller harm than a lost
comment.

Every limit's defaults are in one table here, `DEFAULT_RATES`; `rates(action)`
gives an action's rates with the settings that replace them applied.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consult.infra import redis_client

logger = logging.getLogger(__name__)

PREFIX = "consult:rate"

# Every limit, by action and by whom it counts ("count/seconds", as in the
# settings). "user" counts a person, "token" an API token (and a person across
# their tokens), "ip" and "anonymous" an address (hashed, see `address`).
DEFAULT_RATES: dict[str, dict[str, list[str]]] = {
    # The discussion, for the forms, the sockets and the API alike
    # (CONSULT_RATE_LIMITS): a person may argue briskly but not flood.
    "comment": {"user": ["6/60", "60/3600"], "ip": ["30/60"]},
    "vote": {"user": ["60/60"], "ip": ["300/60"]},
    # Saving or submitting a response form (its page and the API): a person
    # saving drafts as they go, not a script replaying submissions.
    "form_response": {"user": ["10/60", "100/3600"], "ip": ["60/60"]},
    # The API (CONSULT_API_RATES, from API_RATE_ANONYMOUS, API_RATE_TOKEN and
    # API_RATE_IP): without a token, a researcher's script paging through, not
    # a scraper's flood; per token and per person across their tokens; and per
    # address whatever the token, so that one address cannot hide behind many.
    "api": {"anonymous": ["120/60", "3000/3600"], "token": ["600/60"], "ip": ["1200/60"]},
    # Open-data downloads per address (CONSULT_OPENDATA_DOWNLOAD_RATES, a list).
    "download": {"ip": ["30/60", "300/3600"]},
    # Each rename redraws every comment of the person in the live event log: a
    # few a day is all a person needs, and keeps that work bounded.
    "display_name": {"user": ["5/86400"]},
    # Confirmations of a deletion per person: a stolen session cannot guess the password.
    "account_delete": {"user": ["5/900"]},
    # Following a topic, a department or a place: a person choosing what to
    # hear of, not a script filling the table of subscriptions.
    "subscription": {"user": ["30/60", "300/86400"]},
}
# Actions whose rates CONSULT_RATE_LIMITS replaces (action -> {who: [...]}):
# once it is set, an action it leaves out has no limit.
DISCUSSION_ACTIONS = ("comment", "vote", "form_response")


def rates(action: str) -> dict[str, list[str]]:
    """An action's rates ("count/seconds") by whom they count: the table's,
    or those of the setting that replaces them."""
    if action in DISCUSSION_ACTIONS and hasattr(settings, "CONSULT_RATE_LIMITS"):
        return settings.CONSULT_RATE_LIMITS.get(action, {})
    if action == "api" and hasattr(settings, "CONSULT_API_RATES"):
        return settings.CONSULT_API_RATES
    if action == "download" and hasattr(settings, "CONSULT_OPENDATA_DOWNLOAD_RATES"):
        return {"ip": settings.CONSULT_OPENDATA_DOWNLOAD_RATES}
    return DEFAULT_RATES[action]


def address(ip: str | None) -> str:
    """Who an address is, for counting: a keyed hash, never the address
    itself, so Redis holds no IP addresses; each count expires with its window.
    The key's label is the module's first name, so counts survive a move."""
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


# Redis's own clock unless a test sets one (seconds since the epoch): every
# web process then agrees on the time whatever its host's clock says.
clock: Callable[[], float] | None = None

# One call decides every limit of an action at once: old entries leave, each
# window is counted, and only when every one has room is the action added to
# all of them. Refused attempts are not added, so a refusal never lasts
# longer than it takes the oldest counted action to leave its window.
_SLIDING_WINDOW = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local waits = {}
local refused = false
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  waits[i] = 0
  if n >= limit then
    refused = true
    waits[i] = window
    if limit > 0 then
      -- Room comes back when the hit `limit` places from the newest leaves.
      local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
      waits[i] = tonumber(oldest[2]) + window - now
    end
  end
end
if not refused then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, tonumber(ARGV[2 + 2 * i]))
  end
end
return waits
"""


@functools.cache
def _script(client: redis.Redis):
    return client.register_script(_SLIDING_WINDOW)


def hit(action: str, limits: list[tuple[str, Rate]]) -> None:
    """Count one action against each (who, rate) pair, or raise RateLimited
    (counting nothing) if any of them already holds its limit within the
    last window; `retry_after` is when the first counted action leaves it."""
    client = redis_client.client()
    if client is None or not limits:
        return
    keys = [f"{PREFIX}:{action}:{who}:{rate.count}/{rate.seconds}" for who, rate in limits]
    now = "" if clock is None else str(int(clock() * 1000))
    args = [now, os.urandom(9).hex()]
    for _who, rate in limits:
        args += [rate.count, rate.seconds * 1000]
    try:
        waits = _script(client)(keys=keys, args=args)
    except redis.RedisError:
        logger.warning("rate limit for %s not checked: Redis unreachable", action)
        return
    if any(waits):
        retry_after = max(1, math.ceil(max(waits) / 1000))
        raise RateLimited(wait_message(retry_after), retry_after)
