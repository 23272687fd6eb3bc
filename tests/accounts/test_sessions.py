"""How long a session lasts: a new key at sign-in, an idle timeout, a maximum
age, and every socket of a person closed when a ban ends their part."""

import time

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from consult.accounts import sessions
from tests.conftest import PASSWORD
from tests.live_helpers import close_worker_connection, closed_with, me_socket, signed_in_client

NOTIFICATIONS = "/notifications/"


def signed_in(client: Client, email: str, *, remember: bool = True):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, **({"remember": "on"} if remember else {})},
    )


def age(client: Client, *, started_ago: float = 0, seen_ago: float = 0) -> None:
    session = client.session
    now = time.time()
    session[sessions.STARTED] = now - started_ago
    session[sessions.SEEN] = now - seen_ago
    session.save()


@pytest.mark.django_db
def test_signing_in_issues_a_new_session_key(client, make_user):
    person = make_user("new.key@example.org")
    client.get("/accounts/login/")
    anonymous = client.session
    anonymous["language_hint"] = "en"
    anonymous.save()
    before = anonymous.session_key
    assert before

    response = signed_in(client, person.email)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(person.pk)
    # The old key no longer names a session of anyone.
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=before)
    assert store.get("_auth_user_id") is None


@pytest.mark.django_db
def test_a_session_idle_longer_than_the_timeout_ends(client, make_user, settings):
    settings.CONSULT_SESSION_IDLE_TIMEOUT = 600
    person = make_user("idle@example.org")
    signed_in(client, person.email)
    assert client.get(NOTIFICATIONS).status_code == 200

    age(client, started_ago=700, seen_ago=601)
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"])
    assert str(sessions.IDLE_ENDED) in follow.content.decode()


@pytest.mark.django_db
def test_activity_keeps_a_session_until_its_maximum_age(client, make_user, settings):
    settings.CONSULT_SESSION_IDLE_TIMEOUT = 600
    settings.CONSULT_SESSION_MAX_AGE = 3600
    person = make_user("busy@example.org")
    signed_in(client, person.email)

    # Active a minute ago, signed in 50 minutes ago: still in, and "seen" moves on.
    age(client, started_ago=3000, seen_ago=120)
    assert client.get(NOTIFICATIONS).status_code == 200
    assert time.time() - client.session[sessions.SEEN] < 5
    # The stored session lives no longer than the idle timeout, nor past the maximum age.
    assert client.session.get_expiry_age() <= 600

    age(client, started_ago=3400, seen_ago=120)
    assert client.get(NOTIFICATIONS).status_code == 200
    assert client.session.get_expiry_age() <= 200

    age(client, started_ago=3601, seen_ago=10)
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    page = client.get("/")
    assert str(sessions.AGE_ENDED) in page.content.decode()


@pytest.mark.django_db
def test_last_seen_is_written_at_most_once_a_minute(client, make_user):
    person = make_user("quiet@example.org")
    signed_in(client, person.email)
    age(client, started_ago=30, seen_ago=30)
    seen = client.session[sessions.SEEN]
    client.get(NOTIFICATIONS)
    assert client.session[sessions.SEEN] == seen
    age(client, started_ago=90, seen_ago=61)
    client.get(NOTIFICATIONS)
    assert client.session[sessions.SEEN] > seen


@pytest.mark.django_db
def test_a_session_without_remember_me_still_ends_with_the_browser(client, make_user, settings):
    settings.ACCOUNT_SESSION_REMEMBER = None
    person = make_user("shared.computer@example.org")
    signed_in(client, person.email, remember=False)
    assert client.session.get_expire_at_browser_close()
    age(client, started_ago=100, seen_ago=100)
    client.get(NOTIFICATIONS)
    assert client.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_a_session_from_before_the_limits_starts_counting_now(client, make_user):
    person = make_user("old.session@example.org")
    client.force_login(person)
    session = client.session
    session.pop(sessions.STARTED, None)
    session[sessions.SEEN] = "garbage"
    session.save()
    assert client.get(NOTIFICATIONS).status_code == 200
    assert isinstance(client.session[sessions.STARTED], float)


@pytest.mark.django_db(transaction=True)
async def test_a_ban_closes_every_open_socket_of_the_person(make_user):
    from discussion.moderation import sanctions

    admin = await sync_to_async(make_user)("staff.ban@example.org", is_staff=True)
    person = await sync_to_async(make_user)("to.ban@example.org")
    client = await sync_to_async(signed_in_client)(person.email)
    socket = await me_socket(client)
    try:
        await sync_to_async(sanctions.user_ban)(actor=admin, person=person, reason="Spam")
        assert await closed_with(socket) == 4401
    finally:
        await socket.disconnect()
        await close_worker_connection()


@pytest.mark.django_db
def test_remember_me_does_not_outlast_the_idle_timeout(client, make_user, settings):
    settings.CONSULT_SESSION_IDLE_TIMEOUT = 900
    person = make_user("remember@example.org")
    signed_in(client, person.email, remember=True)
    assert client.session.get_expiry_age() <= 900
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(
        session_key=client.session.session_key
    )
    assert store.get_expiry_age() <= 900
