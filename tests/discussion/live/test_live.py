"""The live path: events numbered in the writer's transaction, broadcast on
commit, replayed exactly on reconnect, and posting over the socket."""

import asyncio
import time

import channels.layers
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from asgi import application
from discussion.comments import services
from discussion.live import events, tallies
from discussion.models import Comment, CommentVote, Event
from tests.discussion.conftest import socket_for
from tests.live_helpers import human, next_message, nothing_more

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rolled_back_change_leaves_no_event(open_proposal, people):
    base = events.last_seq(open_proposal.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_create(actor=people.citizen, proposal=open_proposal, body="lost")
        raise RuntimeError
    assert events.last_seq(open_proposal.pk) == base
    services.comment_create(actor=people.citizen, proposal=open_proposal, body="kept")
    comment_events = Event.objects.filter(type__startswith="comment").values_list("seq", "type")
    assert list(comment_events) == [(base + 1, "comment.created")]


def test_a_broadcast_failure_never_undoes_the_write(open_proposal, people, monkeypatch, caplog):
    class BrokenLayer:
        async def group_send(self, *args):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(channels.layers, "get_channel_layer", lambda: BrokenLayer())
    base = events.last_seq(open_proposal.pk)
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="still here"
    )
    assert Comment.objects.filter(pk=comment.pk).exists()
    # Listeners catch up from the log when they reconnect.
    assert events.events_since(proposal_id=open_proposal.pk, seq=base)[0]["id"] == comment.pk
    assert "broadcast of event" in caplog.text


async def test_listeners_get_the_new_comment_rendered_once(open_proposal, people):
    base = await sync_to_async(events.last_seq)(open_proposal.pk)
    listeners = [socket_for(open_proposal) for _ in range(2)]
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", b"django_language=zh-hans"),
    ]
    listeners.append(
        WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    )
    for listener in listeners:
        assert (await listener.connect())[0]
        assert (await next_message(listener))["type"] == "hello"
    comment = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="Live **now**"
    )
    received = [await next_message(listener) for listener in listeners]
    assert received[0] == received[1]
    assert received[0]["type"] == "comment.created" and received[0]["seq"] == base + 1
    assert received[0]["id"] == comment.pk
    # Rendered once per language of the site; each reader gets theirs only.
    assert "<strong>now</strong>" in received[0]["html"]
    assert ">Reply<" in received[0]["html"] and "回复" not in received[0]["html"]
    assert ">回复<" in received[2]["html"] and ">Reply<" not in received[2]["html"]
    assert {**received[2], "html": ""} == {**received[0], "html": ""}
    for listener in listeners:
        await listener.disconnect()


async def test_a_client_that_reconnects_gets_exactly_what_it_missed(open_proposal, people):
    base = await sync_to_async(events.last_seq)(open_proposal.pk)
    for n in range(5):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body=f"c{n}"
        )
    socket = socket_for(open_proposal, since=base + 2)
    await socket.connect()
    hello = await next_message(socket)
    assert hello["seq"] == base + 5
    missed = [await next_message(socket) for _ in range(3)]
    assert [event["seq"] for event in missed] == [base + 3, base + 4, base + 5]
    assert await nothing_more(socket)
    await socket.disconnect()


async def test_a_client_too_far_behind_is_told_to_reload(open_proposal, people, monkeypatch):
    monkeypatch.setattr(events, "MAX_REPLAY", 2)
    for n in range(4):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body=f"c{n}"
        )
    socket = socket_for(open_proposal, since=0)
    await socket.connect()
    await next_message(socket)
    assert await next_message(socket) == {"type": "reload"}
    await socket.disconnect()


async def test_posting_and_voting_over_the_socket_use_the_same_services(
    open_proposal, people, make_user
):
    voter = await sync_to_async(make_user)()
    author = socket_for(open_proposal, user=people.citizen)
    await author.connect()
    await next_message(author)
    await author.send_json_to(
        {**human(), "type": "comment.post", "body": "Over the socket", "ref": "a1"}
    )
    replies = [await next_message(author) for _ in range(2)]
    assert {r["type"] for r in replies} == {"ok", "comment.created"}
    comment = await Comment.objects.aget(body="Over the socket")
    await author.send_json_to({**human(), "type": "comment.post", "body": "   ", "ref": "a2"})
    refused = await next_message(author)
    assert refused == {"type": "error", "ref": "a2", "message": "Write something before posting."}
    await author.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v1"}
    )
    assert (await next_message(author))["message"] == "You cannot vote on your own comment."

    other = socket_for(open_proposal, user=voter)
    await other.connect()
    await next_message(other)
    await other.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v2"}
    )
    # The answer and the tally it caused, in whichever order they are written.
    answers = [await next_message(other) for _ in range(2)]
    assert {"type": "ok", "ref": "v2"} in answers
    assert any(a["type"] == "comment.tallies" for a in answers)
    assert (await CommentVote.objects.aget(comment=comment)).user_id == voter.pk
    await other.disconnect()

    stranger = socket_for(open_proposal)  # not signed in
    await stranger.connect()
    await next_message(stranger)
    await stranger.send_json_to({**human(), "type": "comment.post", "body": "anon", "ref": "s"})
    assert (await next_message(stranger))["message"] == "Sign in to take part in the discussion."
    for socket in (author, stranger):
        await socket.disconnect()
    assert await Comment.objects.acount() == 1


def test_vote_tallies_are_coalesced_whatever_the_vote_rate(
    open_proposal, people, make_user, settings
):
    settings.CONSULT_TALLY_WINDOW_SECONDS = tallies.WINDOW_SECONDS
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


def test_stance_tallies_go_out_live_too(open_proposal, people):
    from proposals.services import stances

    section = open_proposal.sections.first()
    stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, section=section, value="support"
    )
    event = Event.objects.filter(type="stance.tallies").latest("seq")
    assert event.payload["stances"][str(section.pk)] == [1, 0, 0]


def test_state_changes_go_out_live(open_proposal, people):
    from proposals.services import lifecycle

    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    event = Event.objects.filter(type="proposal.state").latest("seq")
    assert event.payload["status"] == "closed"


async def test_everyone_watching_sees_how_many_people_are_viewing(open_proposal):
    first = socket_for(open_proposal)
    await first.connect()
    counts = []
    second = socket_for(open_proposal)
    await second.connect()
    deadline = asyncio.get_running_loop().time() + 5
    while 2 not in counts and asyncio.get_running_loop().time() < deadline:
        message = await first.receive_json_from(timeout=5)
        if message["type"] == "viewers":
            counts.append(message["count"])
            assert "seq" not in message  # presence is not an event of the log
    assert 2 in counts
    await second.disconnect()
    while True:
        message = await first.receive_json_from(timeout=5)
        if message["type"] == "viewers" and message["count"] == 1:
            break
    await first.disconnect()


async def test_suspending_a_person_closes_their_open_sockets(open_proposal, people, make_user):
    from consult.accounts import services as account_services
    from consult.accounts.models import User

    staff = await sync_to_async(make_user)(is_staff=True)
    # The socket holds its own copy of the person, as a real connection would.
    held = await User.objects.aget(pk=people.citizen.pk)
    socket = socket_for(open_proposal, user=held)
    assert (await socket.connect())[0]
    await next_message(socket)
    await sync_to_async(account_services.user_set_active)(
        actor=staff, user=people.citizen, active=False
    )
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break
    with pytest.raises(Exception, match="Sign in"):
        await sync_to_async(services.comment_create)(
            actor=people.citizen, proposal=open_proposal, body="x"
        )
