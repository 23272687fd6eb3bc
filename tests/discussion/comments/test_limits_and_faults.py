"""Abuse limits shared by the forms and the sockets, and the write path when
Redis is away: rate limits, the honeypot, the minimum fill time, the cap on
sockets per person, a flood of frames, unconfirmed emails."""

import time
from functools import partial

import pytest
from asgiref.sync import sync_to_async

from discussion.comments.limits import fill_token
from discussion.models import Comment, CommentVote
from tests.discussion.conftest import socket_for as proposal_socket
from tests.live_helpers import human, next_message

pytestmark = pytest.mark.django_db(transaction=True)


# Every socket here comes from one address, so its per-address limits apply.
socket_for = partial(proposal_socket, ip="10.1.2.3")


def post_url(proposal) -> str:
    return f"{proposal.get_absolute_url()}comments/"


def limit(settings, action: str, user=(), ip=()) -> None:
    settings.CONSULT_RATE_LIMITS = {action: {"user": list(user), "ip": list(ip)}}


def test_posting_too_fast_through_the_form_gets_429_and_keeps_the_text(
    client, open_proposal, section, people, settings
):
    limit(settings, "comment", user=["2/60"])
    client.force_login(people.citizen)
    for n in range(2):
        response = client.post(
            post_url(open_proposal), human(body=f"point {n}", section=section.pk)
        )
        assert response.status_code == 302
    response = client.post(post_url(open_proposal), human(body="third point", section=section.pk))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "You are doing that too often." in page and "third point" in page
    assert Comment.objects.count() == 2


def test_the_address_limit_counts_every_account_behind_one_address(
    client, open_proposal, section, people, make_user, settings
):
    limit(settings, "comment", ip=["2/60"])
    for n in range(2):
        client.force_login(make_user())
        response = client.post(post_url(open_proposal), human(body=f"from {n}", section=section.pk))
        assert response.status_code == 302
    client.force_login(make_user())
    response = client.post(post_url(open_proposal), human(body="a third", section=section.pk))
    assert response.status_code == 429
    # Another address is not held up.
    response = client.post(
        post_url(open_proposal), human(body="elsewhere", section=section.pk), REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_voting_too_fast_through_the_form_gets_a_429_page(
    client, open_proposal, people, make_user, settings
):
    from discussion.comments import services

    comments = [
        services.comment_create(actor=people.citizen, proposal=open_proposal, body=f"c{n}")
        for n in range(3)
    ]
    limit(settings, "vote", user=["2/60"])
    client.force_login(make_user())
    codes = [
        client.post(f"/discussion/comments/{c.pk}/vote/", {"value": "agree"}).status_code
        for c in comments
    ]
    assert codes == [302, 302, 429]
    assert CommentVote.objects.count() == 2


async def test_the_same_limit_holds_over_the_socket_which_then_closes_with_4429(
    async_client, open_proposal, section, people, settings
):
    limit(settings, "comment", user=["1/60"])
    await sync_to_async(async_client.force_login)(people.citizen)
    response = await async_client.post(
        post_url(open_proposal), human(body="by form", section=section.pk)
    )
    assert response.status_code == 302
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    await socket.send_json_to(
        {**human(), "type": "comment.post", "body": "by socket", "section": section.pk, "ref": "r"}
    )
    refused = await next_message(socket)
    assert refused["code"] == 4429 and refused["ref"] == "r"
    assert "You are doing that too often." in refused["message"]
    assert 0 < refused["retry_after"] <= 60
    assert (await socket.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4429}
    assert await Comment.objects.acount() == 1


def test_a_filled_honeypot_or_a_form_sent_at_once_is_refused_with_the_text_kept(
    client, open_proposal, section, people
):
    client.force_login(people.citizen)
    data = human(body="bot text", section=section.pk, website="http://spam.example")
    response = client.post(post_url(open_proposal), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "meant for spam robots" in page and "bot text" in page

    data = human(body="too quick", section=section.pk, started=fill_token(time.time()))
    response = client.post(post_url(open_proposal), data)
    assert response.status_code == 400
    assert "faster than anyone could write it" in response.content.decode()
    # The form comes back drawn anew, so sending it again after a moment works.
    assert 'name="started"' in response.content.decode()

    data = human(body="forged", section=section.pk, started="12345")
    response = client.post(post_url(open_proposal), data)
    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert not Comment.objects.exists()


async def test_the_honeypot_and_fill_time_hold_over_the_socket(open_proposal, people):
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    for extra, text in [
        ({"website": "x"}, "meant for spam robots"),
        ({"started": fill_token(time.time())}, "faster than anyone"),
        ({"started": None}, "Messages must be JSON objects"),
        ({"started": ""}, "out of date"),
    ]:
        await socket.send_json_to(
            {**human(), **extra, "type": "comment.post", "body": "b", "ref": "h"}
        )
        assert text in (await next_message(socket))["message"]
    await socket.disconnect()
    assert not await Comment.objects.aexists()


async def test_one_person_may_hold_only_so_many_live_sockets(open_proposal, people, settings):
    settings.CONSULT_SOCKETS_PER_USER = 2
    sockets = [socket_for(open_proposal, user=people.citizen) for _ in range(3)]
    for socket in sockets[:2]:
        assert (await socket.connect())[0]
        assert (await next_message(socket))["type"] == "hello"
    await sockets[2].connect()
    refused = await next_message(sockets[2])
    assert refused["code"] == 4429 and "too many pages open" in refused["message"]
    assert (await sockets[2].receive_output(timeout=2))["code"] == 4429
    # Closing one makes room; someone else is not affected at all.
    await sockets[0].disconnect()
    again = socket_for(open_proposal, user=people.citizen)
    await again.connect()
    assert (await next_message(again))["type"] == "hello"
    other = socket_for(open_proposal, user=people.moderator)
    await other.connect()
    assert (await next_message(other))["type"] == "hello"
    for socket in (sockets[1], again, other):
        await socket.disconnect()


async def test_a_flood_of_frames_closes_the_socket_with_4429(open_proposal):
    socket = socket_for(open_proposal)
    await socket.connect()
    await next_message(socket)
    closed = None
    for _ in range(60):
        await socket.send_to(text_data='{"type": "ping"}')
    while closed is None:
        output = await socket.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            closed = output["code"]
    assert closed == 4429


def test_an_unconfirmed_email_reads_but_does_not_post(client, open_proposal, section, make_user):
    person = make_user(verified=False)
    client.force_login(person)
    response = client.post(post_url(open_proposal), human(body="unconfirmed", section=section.pk))
    assert response.status_code == 400
    assert "Confirm your email address" in response.content.decode()
    assert not Comment.objects.exists()


def test_with_redis_unreachable_posting_succeeds_and_the_broadcast_failure_is_logged(
    client, open_proposal, section, people, settings, caplog
):
    from channels.layers import channel_layers

    dead = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = dead
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [dead]},
        }
    }
    channel_layers.backends = {}
    limit(settings, "comment", user=["1/60"])  # cannot be counted: the post goes ahead
    client.force_login(people.citizen)
    for n in range(2):
        response = client.post(post_url(open_proposal), human(body=f"kept {n}", section=section.pk))
        assert response.status_code == 302
    assert Comment.objects.count() == 2
    assert "broadcast of event" in caplog.text
    assert "rate limit for comment not checked" in caplog.text
