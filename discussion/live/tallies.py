"""Vote tallies, coalesced: however fast people vote, a proposal's listeners
get at most a few tally events a second.

A vote adds its comment to the proposal's dirty set in Redis; the first vote
of a window also takes a short lock and starts a timer. When the timer fires,
one process reads the current counts of every dirty comment, writes one
event with them, and, if votes arrived meanwhile, starts the next window.
A process whose event loop lags takes longer windows (hub.stretch): fewer
tally events, the same final counts.
"""

from __future__ import annotations

import logging
import threading

import redis
from django.conf import settings
from django.db import connection, transaction

from consult.infra import redis_client
from discussion.live.events import event_append
from discussion.live.hub import stretch
from discussion.models import Comment
from proposals.models import Proposal
from proposals.selectors import stance_tallies

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.4  # at most 2.5 tally events per second per proposal


def window_seconds() -> float:
    # 0 sends every change at once (the test suite's default: no stray timers).
    # Wider while this process falls behind, so that comments get its time.
    return stretch(getattr(settings, "CONSULT_TALLY_WINDOW_SECONDS", WINDOW_SECONDS))


def _client() -> redis.Redis | None:
    return redis_client.client()


def _keys(proposal_id: int) -> tuple[str, str]:
    return f"consult:tally:dirty:{proposal_id}", f"consult:tally:lock:{proposal_id}"


STANCES = "stances"


def tally_changed(*, proposal_id: int, comment_id: int) -> None:
    """Call on commit of a comment vote. Never raises: tallies are also on the page."""
    _mark_dirty(proposal_id, f"c:{comment_id}")


def stance_tallies_changed(*, proposal_id: int) -> None:
    """Call on commit of a stance (wired through consult.infra.live)."""
    _mark_dirty(proposal_id, STANCES)


def _mark_dirty(proposal_id: int, member: str) -> None:
    client = _client()
    try:
        if client is None or window_seconds() <= 0:
            flush(proposal_id, members=[member])
            return
        dirty, lock = _keys(proposal_id)
        client.sadd(dirty, member)
        client.expire(dirty, 60)
        if client.set(lock, 1, nx=True, px=int(window_seconds() * 1000)):
            timer = threading.Timer(window_seconds(), flush, args=(proposal_id,))
            timer.daemon = True
            timer.start()
    except redis.RedisError:
        logger.warning("tally coalescing skipped for proposal %s: Redis unreachable", proposal_id)


def flush(proposal_id: int, members: list[str] | None = None) -> int:
    """Send the current counts of what changed, one event per kind; returns how many events."""
    client = None
    try:
        if members is None:
            client = _client()
            dirty, lock = _keys(proposal_id)
            with client.pipeline() as pipe:
                pipe.smembers(dirty)
                pipe.delete(dirty)
                raw, _ = pipe.execute()
            members = [m.decode() for m in raw]
        comment_ids = sorted(int(m[2:]) for m in members if m.startswith("c:"))
        sent = 0
        proposal = Proposal.objects.get(pk=proposal_id)
        with transaction.atomic():
            if comment_ids:
                counts = _comment_counts(comment_ids)
                event_append(proposal=proposal, type="comment.tallies", payload={"tallies": counts})
                sent += 1
            if STANCES in members:
                stances = _stance_counts(proposal)
                event_append(proposal=proposal, type="stance.tallies", payload={"stances": stances})
                sent += 1
        if client is not None and client.scard(dirty):
            # Votes came in while we read: the next window carries them.
            client.set(lock, 1, px=int(window_seconds() * 1000))
            timer = threading.Timer(window_seconds(), flush, args=(proposal_id,))
            timer.daemon = True
            timer.start()
        return sent
    except Exception:
        logger.exception("tally flush for proposal %s failed", proposal_id)
        return 0
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a timer thread ends here; its connection must not linger


def _comment_counts(comment_ids: list[int]) -> dict[str, list[int]]:
    rows = Comment.objects.filter(pk__in=comment_ids).values_list(
        "pk", "agree_count", "disagree_count", "pass_count"
    )
    return {str(pk): [agree, disagree, passed] for pk, agree, disagree, passed in rows}


def _stance_counts(proposal: Proposal) -> dict[str, list[int]]:
    """Support, oppose, neutral per section ("whole": the proposal itself)."""
    return {
        "whole" if key is None else str(key): [tally.support, tally.oppose, tally.neutral]
        for key, tally in stance_tallies(proposal).items()
    }
