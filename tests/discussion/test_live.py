"""The live path: events numbered in the writer's transaction, broadcast on
commit, replayed exactly on reconnect, and posting over the socket."""

import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from asgi import application
from discussion import events, services, tallies
from discussion.models import Comment, CommentVote, Event

pytestmark = pytest.mark.django_db(transaction=True)


def socket_for(proposal, since=None, user=None):
    path = f"/ws/proposals/{proposal.pk}/" + (f"?since={since}" if since is not None else "")
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    if user is not None:
        communicator.scope["user"] = user
    return communicator


def test_a_rolled_back_change_leaves_no_event(open_proposal, people):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_create(actor=people.citizen, proposal=open_proposal, body="lost")
        raise RuntimeError
    assert not Event.objects.exists()
    services.comment_create(actor=people.citizen, proposal=open_proposal, body="kept")
    assert list(Event.objects.values_list("seq", "type")) == [(1, "comment.created")]


def test_a_broadcast_failure_never_undoes_the_write(open_proposal, people, monkeypatch, caplog):
    class BrokenLayer:
        async def group_send(self, *args):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "get_channel_layer", lambda: BrokenLayer())
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="still here"
    )
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert events.events_since(proposal_id=open_proposal.pk, seq=0)[0]["id"] == comment.pk
    assert "broadcast of event" in caplog.text


async def test_listeners_get_the_new_comment_rendered_once(open_proposal, people):
    listeners = [socket_for(open_proposal) for _ in range(2)]
    for listener in listeners:
        assert (await listener.connect())[0]
        assert (await listener.receive_json_from())["type"] == "hello"
    comment = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="Live **now**"
    )
    received = [await listener.receive_json_from(timeout=5) for listener in listeners]
    assert received[0] == received[1]
    assert received[0]["type"] == "comment.created" and received[0]["seq"] == 1
    assert received[0]["id"] == comment.pk
    assert "<strong>now</strong>" in received[0]["html"]
    for listener in listeners:
        await listener.disconnect()


async def test_a_client_that_reconnects_gets_exactly_what_it_missed(open_proposal, people):
    for n in range(5):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body=f"c{n}"
        )
    socket = socket_for(open_proposal, since=2)
    await socket.connect()
    hello = await socket.receive_json_from()
    assert hello["seq"] == 5
    missed = [await socket.receive_json_from() for _ in range(3)]
    assert [event["seq"] for event in missed] == [3, 4, 5]
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_a_client_too_far_behind_is_told_to_reload(open_proposal, people, monkeypatch):
    monkeypatch.setattr(events, "MAX_REPLAY", 2)
    for n in range(4):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body=f"c{n}"
        )
    socket = socket_for(open_proposal, since=0)
    await socket.connect()
    await socket.receive_json_from()
    assert await socket.receive_json_from() == {"type": "reload"}
    await socket.disconnect()


async def test_posting_and_voting_over_the_socket_use_the_same_services(
    open_proposal, people, make_user
):
    voter = await sync_to_async(make_user)()
    author = socket_for(open_proposal, user=people.citizen)
    await author.connect()
    await author.receive_json_from()
    await author.send_json_to({"type": "comment.post", "body": "Over the socket", "ref": "a1"})
    replies = [await author.receive_json_from(timeout=5) for _ in range(2)]
    assert {r["type"] for r in replies} == {"ok", "comment.created"}
    comment = await Comment.objects.aget(body="Over the socket")
    await author.send_json_to({"type": "comment.post", "body": "   ", "ref": "a2"})
    refused = await author.receive_json_from(timeout=5)
    assert refused == {"type": "error", "ref": "a2", "message": "Write something before posting."}
    await author.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v1"}
    )
    assert (await author.receive_json_from(timeout=5))[
        "message"
    ] == "You cannot vote on your own comment."

    other = socket_for(open_proposal, user=voter)
    await other.connect()
    await other.receive_json_from()
    await other.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v2"}
    )
    assert await other.receive_json_from(timeout=5) == {"type": "ok", "ref": "v2"}
    assert (await CommentVote.objects.aget(comment=comment)).user_id == voter.pk
    await other.disconnect()

    stranger = socket_for(open_proposal)  # not signed in
    await stranger.connect()
    await stranger.receive_json_from()
    await stranger.send_json_to({"type": "comment.post", "body": "anon", "ref": "s"})
    assert (await stranger.receive_json_from(timeout=5))[
        "message"
    ] == "Sign in to take part in the discussion."
    for socket in (author, stranger):
        await socket.disconnect()
    assert await Comment.objects.acount() == 1


def test_vote_tallies_are_coalesced_whatever_the_vote_rate(open_proposal, people, make_user):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Popular")
    voters = [make_user() for _ in range(30)]
    start = time.monotonic()
    for voter in voters:
        services.comment_vote(actor=voter, comment=comment, value="agree")
    elapsed = time.monotonic() - start
    time.sleep(tallies.WINDOW_SECONDS * 3)
    events_sent = list(Event.objects.filter(type="comment.tallies").order_by("seq"))
    windows = int(elapsed / tallies.WINDOW_SECONDS) + 2
    assert 1 <= len(events_sent) <= windows
    assert events_sent[-1].payload["tallies"][str(comment.pk)] == [30, 0, 0]
