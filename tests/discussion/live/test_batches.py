"""Work many sockets ask for at once is done in one call: the database trip
of an opening, the socket cap and the viewer count."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from consult.infra import redis_client
from discussion.comments.limits import SocketCap
from discussion.live import presence
from discussion.live.batches import in_batch


def in_thread(function):
    return sync_to_async(function, thread_sensitive=False)


async def test_asks_that_arrive_together_share_a_call_and_keep_their_answers():
    calls = []

    def doubled(asks: list[int]) -> list[int]:
        calls.append(list(asks))
        return [ask * 2 for ask in asks]

    answers = await asyncio.gather(*(in_batch(doubled, n, in_thread) for n in range(60)))
    assert answers == [n * 2 for n in range(60)]
    # The first ask starts a call; the rest arrive meanwhile and share the next.
    assert len(calls) <= 2 and sorted(n for call in calls for n in call) == list(range(60))


async def test_a_failed_call_fails_every_ask_in_it_and_the_next_call_still_runs():
    failing = {"now": True}

    def flaky(asks: list[int]) -> list[int]:
        if failing["now"]:
            raise ConnectionError("redis is away")
        return asks

    results = await asyncio.gather(
        *(in_batch(flaky, n, in_thread) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(result, ConnectionError) for result in results)
    failing["now"] = False
    assert await in_batch(flaky, 7, in_thread) == 7


def test_the_cap_counts_a_batch_in_order_and_lets_the_refused_go():
    client = redis_client.client()
    asks = [("u9", f"s{n}", 3) for n in range(5)] + [("u10", "t0", 3)]
    assert SocketCap.admit_all(asks) == [True, True, True, False, False, True]
    assert sorted(client.zrange(SocketCap.key("u9"), 0, -1)) == [b"s0", b"s1", b"s2"]
    # A fourth, later, alone: still refused.
    assert SocketCap.admit_all([("u9", "s9", 3)]) == [False]


def test_joins_together_announce_once_per_consultation(settings):
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = 2.0
    asks = [(8101, f"c{n}", f"viewer-{n}") for n in range(4)] + [(8102, "d0", "viewer-9")]
    assert presence.joined_all(asks) == [True, False, False, False, True]
    assert presence.count(8101) == 4 and presence.count(8102) == 1


@pytest.mark.parametrize("window", [0.0])
def test_without_a_window_every_join_announces(settings, window):
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = window
    assert presence.joined_all([(8103, "e0", "v0"), (8103, "e1", "v1")]) == [True, True]
