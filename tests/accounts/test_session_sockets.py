"""Open sockets end with the session: signing out closes that session's
sockets and leaves the person's other sessions live; a new password closes
them all; a session past its idle timeout or maximum age can do nothing over
a socket still open, and its sockets close (4401) within the check interval
even when nobody touches them."""

import time

import pytest
from asgiref.sync import sync_to_async

from consult.accounts import sessions
from consult.accounts.models import UserSession
from discussion.comments import services
from discussion.models import Comment, CommentVote
from tests.conftest import PASSWORD
from tests.live_helpers import (
    closed_with,
    cookie_socket,
    human,
    me_socket,
    next_message,
    nothing_more,
    session_cookie,
    signed_in_client,
)
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker_connection_closed"),
]


async def test_signing_out_closes_that_sessions_sockets_and_a_new_password_closes_all(make_user):
    person = await sync_to_async(make_user)("two.devices@example.org")
    laptop = await sync_to_async(signed_in_client)(person.email)
    phone = await sync_to_async(signed_in_client)(person.email)
    on_laptop, on_phone = await me_socket(laptop), await me_socket(phone)

    await sync_to_async(laptop.post)("/accounts/logout/")
    assert await closed_with(on_laptop) == 4401
    assert await nothing_more(on_phone)

    response = await sync_to_async(phone.post)(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert await closed_with(on_phone) == 4401


# --- A socket lives no longer than its session ----------------------------------------


def proposal_socket(proposal, cookie: str):
    return cookie_socket(f"/ws/proposals/{proposal.pk}/", cookie)


async def socket_that_posted(proposal, cookie: str):
    """A socket of the session, open, that has posted "Still here"."""
    socket = proposal_socket(proposal, cookie)
    assert (await socket.connect())[0]
    assert (await next_message(socket))["type"] == "hello"
    await socket.send_json_to({**human(), "type": "comment.post", "body": "Still here", "ref": "1"})
    answers = [await next_message(socket) for _ in range(2)]
    assert {"type": "ok", "ref": "1"} in [
        {k: a[k] for k in ("type", "ref") if k in a} for a in answers
    ]
    return socket


def age_session(cookie: str, **seconds_ago: float) -> None:
    """Move the session's start or last request back in time, as the hours would."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore(cookie.split("=", 1)[1])
    for name, ago in seconds_ago.items():
        store[name] -= ago
    store.save()


@pytest.mark.parametrize(
    ("aged", "message"),
    [(sessions.SEEN, sessions.IDLE_ENDED), (sessions.STARTED, sessions.AGE_ENDED)],
    ids=["idle-timeout", "maximum-age"],
)
async def test_a_socket_whose_session_has_ended_cannot_post(
    open_proposal,  # noqa: F811
    people,  # noqa: F811
    settings,
    aged,
    message,
):
    settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS = 3600  # only the action itself checks here
    cookie = await sync_to_async(session_cookie)(people.citizen)
    socket = await socket_that_posted(open_proposal, cookie)

    limit = {
        sessions.SEEN: settings.CONSULT_SESSION_IDLE_TIMEOUT,
        sessions.STARTED: settings.CONSULT_SESSION_MAX_AGE,
    }[aged]
    await sync_to_async(age_session)(cookie, **{aged: limit + 5})
    await socket.send_json_to({**human(), "type": "comment.post", "body": "Too late", "ref": "2"})
    refused = await next_message(socket)
    assert refused == {"type": "error", "ref": "2", "code": 4401, "message": str(message)}
    assert await closed_with(socket) == 4401
    bodies = await sync_to_async(list)(Comment.objects.values_list("body", flat=True))
    assert bodies == ["Still here"]


async def test_acting_over_a_socket_counts_as_activity(
    open_proposal,  # noqa: F811
    people,  # noqa: F811
    settings,
):
    """Someone who only posts live is not signed out for idleness: an action
    over the socket moves the session's "last seen" on, as a request does."""
    settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS = 3600
    cookie = await sync_to_async(session_cookie)(people.citizen)
    # Nearly idle for the whole timeout: one more minute without activity ends it.
    await sync_to_async(age_session)(
        cookie, **{sessions.SEEN: settings.CONSULT_SESSION_IDLE_TIMEOUT - 60}
    )
    socket = await socket_that_posted(open_proposal, cookie)
    await socket.disconnect()

    # Two more minutes pass: counted from the post, the session still lasts.
    await sync_to_async(age_session)(cookie, **{sessions.SEEN: 120})
    key = cookie.split("=", 1)[1]
    ended = await sync_to_async(sessions.session_ended)(session_key=key, user_id=people.citizen.pk)
    assert ended is None


async def test_a_socket_of_a_session_that_ended_cannot_vote(
    open_proposal,  # noqa: F811
    people,  # noqa: F811
    settings,
):
    settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS = 3600
    comment = await sync_to_async(services.comment_create)(
        actor=people.moderator, proposal=open_proposal, body="Vote on me"
    )
    cookie = await sync_to_async(session_cookie)(people.citizen)
    socket = proposal_socket(open_proposal, cookie)
    await socket.connect()
    await next_message(socket)
    await sync_to_async(age_session)(
        cookie, **{sessions.SEEN: settings.CONSULT_SESSION_IDLE_TIMEOUT + 5}
    )
    await socket.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v"}
    )
    assert (await next_message(socket))["code"] == 4401
    assert await closed_with(socket) == 4401
    assert not await CommentVote.objects.aexists()


def test_sockets_are_checked_at_least_once_a_minute_by_default():
    from django.conf import settings

    assert settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS <= 60


async def test_an_idle_socket_is_closed_4401_within_the_interval_once_its_session_ends(
    open_proposal,  # noqa: F811
    people,  # noqa: F811
    settings,
):
    settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS = 0.5
    cookie = await sync_to_async(session_cookie)(people.citizen)
    socket = proposal_socket(open_proposal, cookie)
    await socket.connect()
    await next_message(socket)
    # A live session: nothing happens over several checks.
    assert await nothing_more(socket, timeout=1.5)

    await sync_to_async(age_session)(
        cookie, **{sessions.SEEN: settings.CONSULT_SESSION_IDLE_TIMEOUT + 5}
    )
    started = time.monotonic()
    told = await next_message(socket, timeout=5)
    assert told == {"type": "error", "code": 4401, "message": str(sessions.IDLE_ENDED)}
    assert await closed_with(socket) == 4401
    assert time.monotonic() - started <= settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS + 1


async def test_a_session_deleted_behind_the_socket_closes_it(make_user, settings):
    settings.CONSULT_SOCKET_SESSION_CHECK_SECONDS = 0.5
    person = await sync_to_async(make_user)("ended.elsewhere@example.org")
    client = await sync_to_async(signed_in_client)(person.email)
    socket = await me_socket(client)
    await UserSession.objects.filter(user_id=person.pk).adelete()
    assert await closed_with(socket) == 4401
