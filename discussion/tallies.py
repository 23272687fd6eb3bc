"""Vote tallies, coalesced: however fast people vote, a proposal's listeners
get at most a few tally events a second.

A vote adds its comment to the proposal's dirty set in Redis; the first vote
of a window also takes a short lock and starts a timer. When the timer fires,
one process reads the current counts of every dirty comment, writes one
event with them, and, if votes arrived meanwhile, starts the next window.
"""

from __future__ import annotations

import logging
import threading

import redis
from django.conf import settings
from django.db import transaction

from discussion.events import event_append
from discussion.models import Comment
from proposals.models import Proposal

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.4  # at most 2.5 tally events per second per proposal


def _client() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def _keys(proposal_id: int) -> tuple[str, str]:
    return f"consult:tally:dirty:{proposal_id}", f"consult:tally:lock:{proposal_id}"


def tally_changed(*, proposal_id: int, comment_id: int) -> None:
    """Call on commit of a vote. Never raises: tallies are also on the page."""
    client = _client()
    try:
        if client is None:
            flush(proposal_id, comment_ids=[comment_id])
            return
        dirty, lock = _keys(proposal_id)
        client.sadd(dirty, comment_id)
        client.expire(dirty, 60)
        if client.set(lock, 1, nx=True, px=int(WINDOW_SECONDS * 1000)):
            timer = threading.Timer(WINDOW_SECONDS, flush, args=(proposal_id,))
            timer.daemon = True
            timer.start()
    except redis.RedisError:
        logger.warning("tally coalescing skipped for proposal %s: Redis unreachable", proposal_id)
    finally:
        if client is not None:
            client.close()


def flush(proposal_id: int, comment_ids: list[int] | None = None) -> int:
    """Send the current counts of the dirty comments as one event; returns how many."""
    from django.db import connection

    client = None
    try:
        if comment_ids is None:
            client = _client()
            dirty, lock = _keys(proposal_id)
            with client.pipeline() as pipe:
                pipe.smembers(dirty)
                pipe.delete(dirty)
                members, _ = pipe.execute()
            comment_ids = sorted(int(m) for m in members)
        if not comment_ids:
            return 0
        counts = {
            str(pk): [agree, disagree, passed]
            for pk, agree, disagree, passed in Comment.objects.filter(
                pk__in=comment_ids
            ).values_list("pk", "agree_count", "disagree_count", "pass_count")
        }
        with transaction.atomic():
            event_append(
                proposal=Proposal.objects.get(pk=proposal_id),
                type="comment.tallies",
                payload={"tallies": counts},
            )
        if client is not None and client.scard(dirty):
            # Votes came in while we read: the next window carries them.
            client.set(lock, 1, px=int(WINDOW_SECONDS * 1000))
            timer = threading.Timer(WINDOW_SECONDS, flush, args=(proposal_id,))
            timer.daemon = True
            timer.start()
        return len(counts)
    except Exception:
        logger.exception("tally flush for proposal %s failed", proposal_id)
        return 0
    finally:
        if client is not None:
            client.close()
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a timer thread ends here; its connection must not linger
