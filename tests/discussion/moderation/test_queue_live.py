"""The moderators' queue, live: who may listen, what reaches whom (a report
reaches the moderators and no citizen), claims seen by the other moderator,
resolutions, claiming over the socket, and the same against a real Daphne."""

from __future__ import annotations

import urllib.request

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from asgi import application
from consult.infra.live import USER_GROUP
from discussion.access import NOT_MODERATOR
from discussion.comments import services
from discussion.models import Comment, ModerationPolicy
from discussion.moderation import bulk
from discussion.moderation import services as moderation
from tests.live_helpers import next_message, nothing_more, recv_json, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]


def moderation_socket(user=None) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/moderation/", HEADERS)
    if user is not None:
        sign_in(socket, user)
    return socket


def proposal_socket(proposal, user=None) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/proposals/{proposal.pk}/", HEADERS)
    if user is not None:
        sign_in(socket, user)
    return socket


async def opened(socket: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _code = await socket.connect()
    assert connected
    assert (await next_message(socket))["type"] == "hello"
    return socket


async def changed(socket, timeout: float = 5) -> dict:
    """The next queue change, past any unread-count message."""
    while True:
        message = await next_message(socket, timeout=timeout)
        if message["type"] != "notifications":
            return message


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official"])
async def test_only_signed_in_moderators_may_listen(people, who):
    socket = moderation_socket(None if who == "anonymous" else people.by_name(who))
    connected, _code = await socket.connect()
    assert connected  # accepted, so that the browser is told why it is closed
    closing = await socket.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4403}


async def test_a_new_report_reaches_the_moderators_queue_and_no_citizen(
    open_proposal, comment, people, moderators, make_user
):
    own = await opened(moderation_socket(moderators.own))
    parent = await opened(moderation_socket(moderators.parent))
    other = await opened(moderation_socket(moderators.other))
    citizen = await opened(proposal_socket(open_proposal, people.citizen))
    reader = await sync_to_async(make_user)()

    await sync_to_async(moderation.comment_report)(actor=reader, comment=comment, reason="spam")
    for socket in (own, parent):
        message = await changed(socket)
        assert message == {
            "type": "queue.changed",
            "comment": comment.pk,
            "proposal": open_proposal.pk,
            "change": "reported",
        }
    assert await nothing_more(other)
    assert await nothing_more(citizen)  # not the public channel, not even its author
    for socket in (own, parent, other, citizen):
        await socket.disconnect()


async def test_a_held_comment_reaches_the_moderators_and_no_reader(
    open_proposal, section, people, moderators
):
    await sync_to_async(ModerationPolicy.objects.create)(proposal=open_proposal, hold_all=True)
    own = await opened(moderation_socket(moderators.own))
    reader = await opened(proposal_socket(open_proposal))
    held = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, section=section, body="Wait for me"
    )
    message = await changed(own)
    assert (message["change"], message["comment"]) == ("held", held.pk)
    assert await nothing_more(reader)
    await own.disconnect()
    await reader.disconnect()


async def test_a_claim_reaches_the_other_moderator_and_a_release_frees_it(comment, moderators):
    first = await opened(moderation_socket(moderators.own))
    second = await opened(moderation_socket(moderators.parent))

    await first.send_json_to({"type": "queue.claim", "comments": [comment.pk], "ref": "q1"})
    mine = sorted([await changed(first), await changed(first)], key=lambda m: m["type"])
    assert mine == [
        {"type": "ok", "ref": "q1"},
        {
            "type": "queue.changed",
            "comment": comment.pk,
            "proposal": comment.proposal_id,
            "change": "claimed",
            "by": "Moderator",
            "by_id": moderators.own.pk,
        },
    ]
    seen = await changed(second)
    assert seen["change"] == "claimed" and seen["comment"] == comment.pk
    assert (seen["by"], seen["by_id"]) == ("Moderator", moderators.own.pk)

    # The second moderator's claim is refused, naming who has it...
    await second.send_json_to({"type": "queue.claim", "comment": comment.pk, "ref": "q2"})
    refused = await changed(second)
    assert refused["type"] == "error" and refused["ref"] == "q2"
    assert refused["refused"] == {str(comment.pk): refused["message"]}
    assert refused["message"].startswith("Moderator is handling this comment")
    stored = await sync_to_async(Comment.objects.get)(pk=comment.pk)
    assert stored.claimed_by_id == moderators.own.pk

    # ...until they take it over, which the first moderator sees.
    await second.send_json_to(
        {"type": "queue.claim", "comment": comment.pk, "take_over": True, "ref": "q3"}
    )
    taken = await changed(first)
    assert (taken["change"], taken["by_id"]) == ("claimed", moderators.parent.pk)
    await second.send_json_to({"type": "queue.release", "comment": comment.pk, "ref": "q4"})
    released = await changed(first)
    assert (released["change"], released["comment"]) == ("released", comment.pk)
    stored = await sync_to_async(Comment.objects.get)(pk=comment.pk)
    assert stored.claimed_by_id is None
    await first.disconnect()
    await second.disconnect()


async def test_a_resolution_removes_the_item(comment, moderators, make_user, client):
    reader = await sync_to_async(make_user)()
    await sync_to_async(moderation.comment_report)(actor=reader, comment=comment, reason="spam")
    listener = await opened(moderation_socket(moderators.parent))
    outcome = await sync_to_async(bulk.items_act)(
        actor=moderators.own, action="dismiss", comment_ids=[comment.pk]
    )
    assert outcome[0].done
    message = await changed(listener)
    assert (message["change"], message["comment"]) == ("resolved", comment.pk)
    # What the page then asks for: the item has left the queue.
    await sync_to_async(client.force_login)(moderators.parent)
    response = await sync_to_async(client.get)(f"/discussion/moderation/items/{comment.pk}/")
    assert response.status_code == 204
    await listener.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "queue.claim"},
        {"type": "queue.claim", "comment": "12"},
        {"type": "queue.claim", "comment": True},
        {"type": "queue.claim", "comments": "1,2"},
        {"type": "queue.claim", "comments": []},
        {"type": "queue.claim", "comments": list(range(1, 52))},
        {"type": "queue.claim", "comment": 2**70},
        {"type": "comment.post", "body": "not here"},
        {"type": "queue.claim", "comments": [{"id": 1}]},
    ],
)
async def test_unreadable_frames_get_an_error_and_the_socket_stays(moderators, comment, frame):
    socket = await opened(moderation_socket(moderators.own))
    await socket.send_json_to(frame)
    reply = await changed(socket)
    assert reply["type"] == "error"
    assert reply["message"] == "Messages must be JSON objects with a type."
    await socket.send_json_to({"type": "ping"})
    assert (await changed(socket))["type"] == "pong"
    stored = await sync_to_async(Comment.objects.get)(pk=comment.pk)
    assert stored.claimed_by_id is None
    await socket.disconnect()


async def test_claims_of_items_elsewhere_or_unknown_are_refused(moderators, comment):
    socket = await opened(moderation_socket(moderators.other))
    await socket.send_json_to({"type": "queue.claim", "comments": [comment.pk, 987654], "ref": "x"})
    reply = await changed(socket)
    assert reply["type"] == "error"
    assert reply["refused"] == {
        str(comment.pk): str(NOT_MODERATOR),
        "987654": "That item is not in your queue.",
    }
    stored = await sync_to_async(Comment.objects.get)(pk=comment.pk)
    assert stored.claimed_by_id is None
    await socket.disconnect()


async def test_signing_out_closes_the_queue_socket(moderators):
    socket = await opened(moderation_socket(moderators.own))
    group = USER_GROUP.format(user_id=moderators.own.pk)
    await get_channel_layer().group_send(group, {"type": "user.close"})
    closing = await socket.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4401}


# --- Against a real Daphne ----------------------------------------------------------


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_against_daphne_a_report_reaches_the_moderator_and_the_page_fetches_the_item(
    asgi_live_server, comment, people, moderators, make_user
):
    url = f"ws://{asgi_live_server.host}:{asgi_live_server.port}/ws/moderation/"
    origin = asgi_live_server.url
    mod_cookie = session_cookie(moderators.own)
    with (
        connect(url, origin=origin, additional_headers={"Cookie": mod_cookie}) as own,
        connect(
            url, origin=origin, additional_headers={"Cookie": session_cookie(moderators.other)}
        ) as other,
        connect(
            f"ws://{asgi_live_server.host}:{asgi_live_server.port}/ws/proposals/"
            f"{comment.proposal_id}/",
            origin=origin,
            additional_headers={"Cookie": session_cookie(people.citizen)},
        ) as citizen,
    ):
        assert recv_json(own)["type"] == "hello"
        assert recv_json(other)["type"] == "hello"
        assert recv_json(citizen)["type"] == "hello"
        moderation.comment_report(actor=make_user(), comment=comment, reason="abuse", note="mean")
        message = recv_json(own)
        assert (message["change"], message["comment"]) == ("reported", comment.pk)
        for quiet in (other, citizen):
            with pytest.raises(TimeoutError):
                recv_json(quiet, timeout=0.5)

    # What queue.js asks for next, over HTTP with the same session.
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{origin}/discussion/moderation/items/{comment.pk}/", headers={"Cookie": mod_cookie}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    assert f'id="queue-item-{comment.pk}"' in html and "“mean”" in html


def test_against_daphne_a_citizen_is_closed_with_4403(asgi_live_server, people):
    url = f"ws://{asgi_live_server.host}:{asgi_live_server.port}/ws/moderation/"
    cookie = session_cookie(people.citizen)
    with (
        connect(url, origin=asgi_live_server.url, additional_headers={"Cookie": cookie}) as s,
        pytest.raises(ConnectionClosed) as closed,
    ):
        s.recv(timeout=5)
    assert closed.value.rcvd.code == 4403
