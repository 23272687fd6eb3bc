"""The WebSocket door: Origin checked against ALLOWED_HOSTS, routes reach consumers."""

import pytest
from channels.testing import WebsocketCommunicator

from asgi import application
from proposals.models import Status
from tests.live_helpers import next_message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker_connection_closed"),
]


@pytest.fixture
def proposal(make_proposal):
    return make_proposal()


def communicator(path: str, origin: str | None) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def test_allowed_origin_connects_and_is_greeted(proposal):
    socket = communicator(f"/ws/proposals/{proposal.pk}/", "http://127.0.0.1:8000")
    connected, _ = await socket.connect()
    assert connected
    assert await next_message(socket) == {"type": "hello", "proposal": proposal.pk, "seq": 0}
    await socket.send_json_to({"type": "ping"})
    assert await next_message(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1.evil.example", "null"])
async def test_foreign_origin_is_refused(proposal, origin):
    socket = communicator(f"/ws/proposals/{proposal.pk}/", origin)
    connected, _ = await socket.connect()
    assert not connected


async def test_missing_origin_is_refused(proposal):
    socket = communicator(f"/ws/proposals/{proposal.pk}/", None)
    connected, _ = await socket.connect()
    assert not connected


@pytest.fixture
def draft(make_proposal):
    return make_proposal("Draft", status=Status.DRAFT)


async def test_unknown_or_unpublished_proposal_is_closed(draft):
    for path in (f"/ws/proposals/{draft.pk}/", "/ws/proposals/999999/"):
        socket = communicator(path, "http://127.0.0.1")
        connected, code = await socket.connect()
        assert not connected
        assert code == 4404


async def test_unreadable_messages_get_an_error_not_a_crash(proposal):
    socket = communicator(f"/ws/proposals/{proposal.pk}/", "http://127.0.0.1")
    await socket.connect()
    await next_message(socket)
    for junk in ("not json", "[1, 2]", '{"no": "type"}', '{"type": 5}'):
        await socket.send_to(text_data=junk)
        reply = await next_message(socket)
        assert reply["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await next_message(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_group_events_reach_every_listener(proposal):
    from channels.layers import get_channel_layer

    from discussion.live.events import proposal_group

    sockets = [communicator(f"/ws/proposals/{proposal.pk}/", "http://127.0.0.1") for _ in range(2)]
    for socket in sockets:
        await socket.connect()
        await next_message(socket)
    await get_channel_layer().group_send(
        proposal_group(proposal.pk),
        {"type": "proposal.event", "text": '{"type": "test", "seq": 1}'},
    )
    for socket in sockets:
        assert await next_message(socket) == {"type": "test", "seq": 1}
        await socket.disconnect()


async def test_binary_frames_and_deeply_nested_json_get_an_error_not_a_crash(proposal):
    socket = communicator(f"/ws/proposals/{proposal.pk}/", "http://127.0.0.1")
    await socket.connect()
    await next_message(socket)
    await socket.send_to(bytes_data=b"\x00\x01binary")
    assert (await next_message(socket))["type"] == "error"
    await socket.send_to(text_data="[" * 30000)
    assert (await next_message(socket))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await next_message(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("path", ["/ws/proposals/-1/", "/ws/nowhere/", "/not-a-socket/"])
async def test_unknown_paths_close_cleanly(path, db):
    socket = communicator(path, "http://127.0.0.1")
    connected, code = await socket.connect()
    assert not connected
    assert code == 4404


async def test_frames_needing_no_database_never_queue_for_the_database_thread(
    proposal, monkeypatch
):
    import channels.consumer

    trips = []
    original = channels.consumer.aclose_old_connections

    async def counted():
        trips.append(1)
        await original()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    socket = communicator(f"/ws/proposals/{proposal.pk}/", "http://127.0.0.1")
    await socket.connect()
    await next_message(socket)
    for _ in range(3):
        await socket.send_json_to({"type": "ping"})
        assert await next_message(socket) == {"type": "pong"}
    # Nor does a frame that is refused before any database work.
    await socket.send_to(text_data='{"type": "vote"}')
    assert (await next_message(socket))["type"] == "error"
    # Connecting did not queue for it either: its reads went in one trip
    # that tidies its own connections (discussion.live.openings).
    assert trips == []
    await socket.disconnect()


async def test_a_draft_is_refused_without_joining_its_live_stream(draft):
    from discussion.live.events import proposal_group
    from discussion.live.hub import hub
    from discussion.live.recovery import registry

    socket = communicator(f"/ws/proposals/{draft.pk}/", "http://127.0.0.1")
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4404)
    assert not hub().members.get(proposal_group(draft.pk))
    assert proposal_group(draft.pk) not in registry().groups
