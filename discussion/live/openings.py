"""What a proposal socket needs from the database when it opens, asked for
many sockets in one trip.

Every database call of a server process runs on one thread. When a thousand
readers reconnect at once (a deploy, a network blip), a trip per socket
(is the consultation public, its last event number, what the reader missed,
their unread count) queues them one behind the other. Here the sockets that
open while a trip is running wait together for the next one
(discussion.live.batches), which asks once per consultation, once per
distinct `since` and once per person: a herd that all saw the same last
event costs a handful of queries, not thousands.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.db import database_sync_to_async

from discussion.live.batches import in_batch


@dataclass(frozen=True)
class Ask:
    proposal_id: int
    since: int | None
    user_id: int | None


@dataclass(frozen=True)
class Opening:
    """What a socket opening needs: whether the consultation has a live
    channel at all, its last event number, the events after `since` (None:
    too many, reload), and the person's unread count (None: not signed in)."""

    public: bool
    seq: int
    missed: list[dict] | None
    unread: int | None


async def opening(ask: Ask) -> Opening:
    return await in_batch(openings_read, ask, database_sync_to_async)


def openings_read(asks: list[Ask]) -> list[Opening]:
    """The answers to `asks`, in their order: one query for which
    consultations are public, one for their last event numbers, then one per
    distinct (consultation, since) behind and one per person."""
    from consult.notifications.selectors import unread_count
    from discussion.live.events import events_since
    from discussion.models import EventCounter
    from proposals.selectors import proposal_public_queryset

    ids = {ask.proposal_id for ask in asks}
    # Only a consultation in a public state has a live channel (never a
    # draft), whoever asks: the same for every reader.
    public = set(proposal_public_queryset().filter(pk__in=ids).values_list("pk", flat=True))
    seqs = dict(
        EventCounter.objects.filter(proposal_id__in=public).values_list("proposal_id", "last_seq")
    )
    missed: dict[tuple[int, int], list[dict] | None] = {}
    unread: dict[int, int] = {}
    answers = []
    for ask in asks:
        if ask.proposal_id not in public:
            answers.append(Opening(public=False, seq=0, missed=[], unread=None))
            continue
        seq = seqs.get(ask.proposal_id, 0)
        behind: list[dict] | None = []
        # Up to date (the usual reconnect): nothing to read; anything newer
        # reaches the socket live, since it joined before this read.
        if ask.since is not None and ask.since < seq:
            key = (ask.proposal_id, ask.since)
            if key not in missed:
                missed[key] = events_since(proposal_id=ask.proposal_id, seq=ask.since)
            behind = missed[key]
        if ask.user_id is not None and ask.user_id not in unread:
            unread[ask.user_id] = unread_count(user_id=ask.user_id)
        answers.append(
            Opening(
                public=True,
                seq=seq,
                missed=behind,
                unread=None if ask.user_id is None else unread[ask.user_id],
            )
        )
    return answers
