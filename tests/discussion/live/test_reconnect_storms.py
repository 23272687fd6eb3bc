"""A crowd reconnecting at once and a Redis outage: events that arrive before
a socket's hello wait behind its replay, openings share database trips, and
a socket opened while Redis is away is served from the event log and caught
up when Redis returns, as is every socket already open."""

import asyncio
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer

from consult.infra.redis_server import PrivateRedis
from consult.infra.server import WEBSOCKET_CONNECT_TIMEOUT, daphne_command
from discussion.comments import services
from discussion.live import events, openings
from tests.discussion.conftest import socket_for
from tests.live_helpers import next_message, nothing_more

pytestmark = pytest.mark.django_db(transaction=True)


async def test_events_arriving_before_the_hello_follow_the_replay_without_repeats(
    open_proposal, people, monkeypatch
):
    for n in range(2):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body=f"before {n}"
        )
    seq = await sync_to_async(events.last_seq)(open_proposal.pk)
    real = openings.openings_read

    def read_while_events_arrive(asks):
        answers = real(asks)
        # Broadcasts reach the socket while its replay is being read: one the
        # replay carries, and one after it.
        group = events.proposal_group(open_proposal.pk)
        for text in (
            f'{{"type":"comment.tallies","seq":{seq}}}',
            f'{{"type":"x","seq":{seq + 1}}}',
        ):
            async_to_sync(get_channel_layer().group_send)(
                group, {"type": "proposal.event", "text": text}
            )
        time.sleep(0.5)  # the hub has them before the replay is sent
        return answers

    monkeypatch.setattr(openings, "openings_read", read_while_events_arrive)
    listener = socket_for(open_proposal)
    await listener.connect()
    opened = socket_for(open_proposal, since=seq - 2)
    await opened.connect()
    received = [await next_message(opened) for _ in range(4)]
    assert [m["type"] for m in received] == ["hello", "comment.created", "comment.created", "x"]
    assert [m.get("seq") for m in received] == [seq, seq - 1, seq, seq + 1]
    assert await nothing_more(opened)
    for socket in (listener, opened):
        await socket.disconnect()


async def test_sockets_opening_together_share_their_database_trips(
    open_proposal, people, monkeypatch
):
    await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="missed by all"
    )
    seq = await sync_to_async(events.last_seq)(open_proposal.pk)
    trips = []
    real = openings.openings_read

    def counted(asks):
        trips.append(len(asks))
        time.sleep(0.2)  # a trip takes a moment: the others gather meanwhile
        return real(asks)

    monkeypatch.setattr(openings, "openings_read", counted)
    sockets = [socket_for(open_proposal, since=seq - 1) for _ in range(20)]
    await asyncio.gather(*(socket.connect() for socket in sockets))
    for socket in sockets:
        assert (await next_message(socket))["type"] == "hello"
        assert (await next_message(socket))["seq"] == seq
    assert sum(trips) == 20
    assert len(trips) <= 3
    for socket in sockets:
        await socket.disconnect()


async def test_a_reader_not_signed_in_costs_no_subscription_of_its_own(open_proposal):
    socket = socket_for(open_proposal)
    await socket.connect()
    await next_message(socket)
    layer = get_channel_layer()
    # The hub's one channel for the proposal; none per reader.
    assert [name for name in layer.channels if "hub." not in name] == []
    await socket.disconnect()


def test_daphne_answers_a_slow_handshake_rather_than_dropping_it():
    command = daphne_command(host="127.0.0.1", port=8000)
    flag = command.index("--websocket_connect_timeout")
    assert int(command[flag + 1]) == WEBSOCKET_CONNECT_TIMEOUT >= 30


@pytest.fixture
def own_redis(settings, tmp_path):
    """A Redis of this test's own, to stop and start again."""
    server = PrivateRedis(workdir=tmp_path / "redis").start()
    settings.REDIS_URL = server.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url], "prefix": "test:asgi"},
        }
    }
    settings.CONSULT_LIVE_RECOVERY_CHECK_SECONDS = 0.2
    settings.CONSULT_LIVE_RECOVERY_SETTLE_SECONDS = 1.5
    channel_layers.backends = {}
    yield server
    server.stop()


def restart(server: PrivateRedis) -> None:
    again = PrivateRedis(workdir=server.workdir, port=server.port)
    again.password = server.password
    again.start()
    server.process = again.process


async def test_during_a_redis_outage_sockets_open_from_the_log_and_all_catch_up_when_it_returns(
    own_redis, open_proposal, people
):
    create = sync_to_async(services.comment_create)
    before = socket_for(open_proposal)
    await before.connect()
    hello = await next_message(before)
    own_redis.stop()
    first = await create(actor=people.citizen, proposal=open_proposal, body="said while away")

    # A new socket is accepted, not refused with an error page, and is
    # served what it missed from the event log.
    during = socket_for(open_proposal, since=hello["seq"])
    connected, _ = await during.connect(timeout=10)
    assert connected
    assert (await next_message(during, timeout=10))["seq"] == hello["seq"] + 1
    assert (await next_message(during))["id"] == first.pk
    second = await create(actor=people.citizen, proposal=open_proposal, body="also while away")

    await sync_to_async(restart)(own_redis)
    # No new post: both sockets are told what the outage kept from them.
    assert [(await next_message(before, timeout=15))["id"] for _ in range(2)] == [
        first.pk,
        second.pk,
    ]
    assert (await next_message(during, timeout=15))["id"] == second.pk
    # And the live stream flows again, once each.
    third = await create(actor=people.citizen, proposal=open_proposal, body="after")
    for socket in (before, during):
        assert (await next_message(socket, timeout=10))["id"] == third.pk
        assert await nothing_more(socket)
        await socket.disconnect()


async def test_a_herd_opening_while_comments_arrive_misses_none(open_proposal, people):
    create = sync_to_async(services.comment_create)
    base = await sync_to_async(events.last_seq)(open_proposal.pk)
    sockets = [socket_for(open_proposal, since=base) for _ in range(30)]

    async def post_some():
        for n in range(6):
            await create(actor=people.citizen, proposal=open_proposal, body=f"during {n}")
            await asyncio.sleep(0.05)

    async def open_one(socket, delay):
        await asyncio.sleep(delay)
        await socket.connect(timeout=20)

    await asyncio.gather(post_some(), *(open_one(s, 0.02 * i) for i, s in enumerate(sockets)))
    for socket in sockets:
        seen = []
        while len(seen) < 6:
            message = await next_message(socket, timeout=10)
            if "seq" in message and message["type"] != "hello":
                seen.append(message["seq"])
        assert seen == list(range(base + 1, base + 7))
        await socket.disconnect()
