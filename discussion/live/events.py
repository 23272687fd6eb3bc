"""The live path: append an event in the writer's transaction, broadcast it on commit.

The database is the source of truth. A listener that misses a broadcast (a
dropped socket, Redis down for a moment) asks again with the last sequence
number it saw and is given the rest from the event log.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F

from consult.infra.live import group_send
from discussion.live import recovery
from discussion.models import Event, EventCounter
from proposals.models import Proposal

logger = logging.getLogger(__name__)

# A client further behind than this is told to reload instead of replaying.
MAX_REPLAY = 500


def proposal_group(proposal_id: int) -> str:
    return f"proposal.{proposal_id}"


def event_append(*, proposal: Proposal, type: str, payload: dict) -> Event:
    """Give the event the proposal's next sequence number. Call inside the
    transaction of the change; the row lock on the counter orders writers."""
    assert transaction.get_connection().in_atomic_block, "events are written with their change"
    EventCounter.objects.get_or_create(proposal=proposal)
    EventCounter.objects.filter(proposal=proposal).update(last_seq=F("last_seq") + 1)
    seq = EventCounter.objects.select_for_update().get(proposal=proposal).last_seq
    event = Event.objects.create(proposal=proposal, seq=seq, type=type, payload=payload)
    transaction.on_commit(lambda: broadcast(event))
    return event


def message(event: Event) -> dict:
    return {"type": event.type, "seq": event.seq, **event.payload}


def encoded(message: dict) -> dict[str, str]:
    """The message as each reader receives it, encoded here once per language:
    a fragment rendered in every language goes to each reader in theirs only."""
    html = message.get("html")
    languages = html if isinstance(html, dict) else {settings.LANGUAGE_CODE: html}
    return {
        language: json.dumps(
            {**message, "html": fragment} if isinstance(html, dict) else message,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for language, fragment in languages.items()
    }


def broadcast(event: Event) -> None:
    """Send to every listener of the proposal. A failure is logged, never raised:
    the change is committed and listeners catch up from the log."""
    try:
        group_send(
            proposal_group(event.proposal_id),
            {"type": "proposal.event", "texts": encoded(message(event))},
        )
    except Exception:
        logger.exception("broadcast of event %s#%s failed", event.proposal_id, event.seq)
        recovery.broadcast_failed()  # open sockets of this process catch up from the log


def events_since(*, proposal_id: int, seq: int) -> list[dict] | None:
    """What a client that saw up to `seq` missed, in order; None if too much."""
    events = list(
        Event.objects.filter(proposal_id=proposal_id, seq__gt=seq).order_by("seq")[: MAX_REPLAY + 1]
    )
    if len(events) > MAX_REPLAY:
        return None
    return [message(event) for event in events]


def last_seq(proposal_id: int) -> int:
    return (
        EventCounter.objects.filter(proposal_id=proposal_id)
        .values_list("last_seq", flat=True)
        .first()
        or 0
    )
