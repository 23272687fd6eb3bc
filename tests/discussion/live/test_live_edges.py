"""The edges of the live channel: coalesced viewer counts with pings in
between, a connection that fails half-way, tokens that age, refusals that
must not cost a rate, sockets opening at the same moment, and messages from
a process still running the previous release."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from consult.infra import redis_client
from discussion.comments import limits, services
from discussion.comments.limits import SocketCap, fill_token
from discussion.live import consumers, events, openings
from discussion.models import Comment
from tests.discussion.conftest import socket_for
from tests.live_helpers import human, next_message

pytestmark = pytest.mark.django_db(transaction=True)


async def viewers_until(socket, count: int, timeout: float = 5) -> list[int]:
    seen, deadline = [], time.monotonic() + timeout
    while count not in seen and time.monotonic() < deadline:
        try:
            message = await socket.receive_json_from(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if message["type"] == "viewers":
            seen.append(message["count"])
    return seen


async def test_a_ping_does_not_swallow_the_next_viewer_count(open_proposal, settings):
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = 0.3
    first = socket_for(open_proposal)
    await first.connect()
    assert 1 in await viewers_until(first, 1)
    await first.send_json_to({"type": "ping"})
    second = socket_for(open_proposal)
    await second.connect()
    assert 2 in await viewers_until(first, 2)
    for socket in (first, second):
        await socket.disconnect()


async def test_a_connection_failing_half_way_is_undone_and_closed_as_a_server_error(
    open_proposal, people, monkeypatch, caplog
):
    def broken(*args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(openings, "openings_read", broken)
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1011}
    client = await sync_to_async(redis_client.client)()
    assert client.zcard(SocketCap.key(SocketCap.person(people.citizen.pk))) == 0
    # Nothing of it is left among the proposal's readers in this process.
    from discussion.live.hub import hub

    assert not hub().members.get(events.proposal_group(open_proposal.pk))
    assert "live connection failed while starting" in caplog.text


def test_a_form_drawn_more_than_a_day_ago_is_drawn_again(client, open_proposal, people):
    section = open_proposal.sections.first()
    client.force_login(people.citizen)
    old = fill_token(time.time() - limits.FILL_TOKEN_MAX_AGE - 60)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(body="kept words", section=section.pk, started=old),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "out of date" in page and "kept words" in page
    assert response.templates[0].name == "discussion/section.html"


def test_refusals_before_the_service_come_back_on_their_own_page_without_the_honeypot(
    client, open_proposal, people
):
    section = open_proposal.sections.first()
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(body="quick", section=section.pk, started=fill_token(), website="autofilled.example"),
    )
    assert response.status_code == 400
    assert response.templates[0].name == "discussion/section.html"
    page = response.content.decode()
    assert "autofill" in page and "autofilled.example" not in page


async def test_a_refused_token_over_the_socket_comes_back_with_a_fresh_one(open_proposal, people):
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    await socket.send_json_to(
        {**human(), "started": fill_token(), "type": "comment.post", "body": "b", "ref": "q"}
    )
    refused = await next_message(socket)
    assert "faster than anyone" in refused["message"]
    # The new token is genuine and new: accepted once a person would have written it.
    with pytest.raises(Exception, match="faster"):
        limits.check_human(started=refused["started"], honeypot="")
    drawn = limits.signing.loads(refused["started"], salt="discussion.fill")
    assert abs(drawn - time.time()) < 5
    await socket.disconnect()


async def test_refusals_for_the_text_itself_cost_no_rate(open_proposal, people, settings):
    settings.CONSULT_RATE_LIMITS = {"comment": {"user": ["1/60"], "ip": []}}
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    for body in ("   ", "x" * 5001):
        await socket.send_json_to({**human(), "type": "comment.post", "body": body, "ref": "e"})
        assert "code" not in await next_message(socket)
    await socket.send_json_to({**human(), "type": "comment.post", "body": "fine", "ref": "ok"})
    answers = [await next_message(socket) for _ in range(2)]
    ok = next(answer for answer in answers if answer["type"] == "ok")
    await socket.disconnect()
    assert await Comment.objects.acount() == 1
    assert ok["ref"] == "ok" and ok["comment"]["id"] == (await Comment.objects.aget()).pk


async def test_sockets_opening_at_the_same_moment_cannot_pass_the_cap(
    open_proposal, people, settings
):
    settings.CONSULT_SOCKETS_PER_USER = 2
    sockets = [socket_for(open_proposal, user=people.citizen) for _ in range(6)]
    await asyncio.gather(*(socket.connect() for socket in sockets))
    firsts = await asyncio.gather(*(next_message(socket) for socket in sockets))
    assert sorted(message["type"] for message in firsts) == ["error"] * 4 + ["hello"] * 2
    for socket in sockets:
        await socket.disconnect()


async def test_a_signed_in_page_learns_its_unread_count_when_it_connects(
    open_proposal, people, make_user
):
    parent = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="Mine"
    )
    await sync_to_async(services.comment_create)(
        actor=await sync_to_async(make_user)(), proposal=open_proposal, body="R", parent=parent
    )
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    hello = await next_message(socket)
    assert (hello["type"], hello["unread"]) == ("hello", 1)
    await socket.disconnect()


async def test_an_event_in_the_previous_format_is_still_forwarded(open_proposal):
    socket = socket_for(open_proposal)
    await socket.connect()
    await next_message(socket)
    await get_channel_layer().group_send(
        events.proposal_group(open_proposal.pk),
        {"type": "proposal.event", "payload": {"type": "test", "seq": 9}},
    )
    assert await next_message(socket) == {"type": "test", "seq": 9}
    await socket.disconnect()


def reader_socket(proposal, ip: str):
    """A reader not signed in, from one address."""
    socket = socket_for(proposal)
    socket.scope["client"] = (ip, 50000)
    return socket


async def test_readers_not_signed_in_may_hold_only_so_many_sockets_per_address(
    open_proposal, settings
):
    from django.conf import settings as configured

    cap = configured.CONSULT_SOCKETS_PER_ADDRESS
    assert cap == limits.sockets_per_address()
    sockets = [reader_socket(open_proposal, "203.0.113.7") for _ in range(cap + 1)]
    for socket in sockets[:cap]:
        assert (await socket.connect())[0]
        assert (await next_message(socket))["type"] == "hello"
    await sockets[cap].connect()
    refused = await next_message(sockets[cap])
    assert refused["code"] == consumers.CLOSE_TOO_MANY == 4429
    assert (await sockets[cap].receive_output(timeout=2))["code"] == 4429
    # Another address is not affected; closing one makes room again.
    other = reader_socket(open_proposal, "198.51.100.9")
    await other.connect()
    assert (await next_message(other))["type"] == "hello"
    await sockets[0].disconnect()
    again = reader_socket(open_proposal, "203.0.113.7")
    await again.connect()
    assert (await next_message(again))["type"] == "hello"
    for socket in (*sockets[1:cap], other, again):
        await socket.disconnect()


async def viewers_settle(socket, timeout: float = 1.5) -> int | None:
    """The last viewer count heard within the timeout."""
    last, deadline = None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        # (A receive that times out would end the socket: look first.)
        if await socket.receive_nothing(timeout=0.1):
            continue
        message = await socket.receive_json_from()
        if message["type"] == "viewers":
            last = message["count"]
    return last


async def test_viewers_are_people_and_addresses_not_sockets(open_proposal, people, settings):
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = 0.2
    # One person with three tabs, one address with three anonymous tabs.
    tabs = [socket_for(open_proposal, user=people.citizen) for _ in range(3)]
    tabs += [reader_socket(open_proposal, "203.0.113.7") for _ in range(3)]
    for socket in tabs:
        await socket.connect()
    watcher = tabs[0]
    assert await viewers_settle(watcher) == 2
    # Closing two of a person's three tabs leaves them counted.
    for socket in tabs[1:3]:
        await socket.disconnect()
    someone = reader_socket(open_proposal, "198.51.100.9")
    await someone.connect()
    assert await viewers_settle(watcher) == 3
    for socket in tabs[3:]:
        await socket.disconnect()
    assert await viewers_settle(watcher) == 2
    for socket in (watcher, someone):
        await socket.disconnect()
