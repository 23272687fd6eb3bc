"""Sessions know whose they are, so that every session of a person ends at once."""

import pytest
from django.conf import settings
from django.test import Client

from consult.accounts import services as account_services
from consult.accounts.models import UserSession

pytestmark = pytest.mark.django_db


def signed_in_on_index(client: Client) -> bool:
    return client.get("/accounts/privacy/").status_code == 200


def test_the_session_engine_marks_each_session_with_its_owner(make_user, signed_in):
    assert settings.SESSION_ENGINE == "consult.accounts.session_store"
    person = make_user()
    client = signed_in(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert UserSession.objects.get(session_key=key).user_id == person.pk

    client.post("/accounts/logout/")
    # Signing out flushes the session: the row is gone, and any new one is nobody's.
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user_id=person.pk).exists()


def test_an_anonymous_session_belongs_to_nobody(client):
    session = client.session
    session["something"] = 1
    session.save()
    assert UserSession.objects.get(session_key=session.session_key).user_id is None


def test_sessions_end_all_signs_a_person_out_everywhere_and_closes_their_sockets(
    make_user, signed_in, monkeypatch
):
    closed = []

    def close(*, user_id: int) -> None:
        closed.append(user_id)

    monkeypatch.setattr("consult.infra.live.user_sockets_close", close)
    person, other = make_user(), make_user()
    laptop, phone, theirs = signed_in(person), signed_in(person), signed_in(other)
    assert UserSession.objects.filter(user_id=person.pk).count() == 2

    ended = account_services.sessions_end_all(user=person)

    assert ended == 2
    assert closed == [person.pk]
    assert not signed_in_on_index(laptop)
    assert not signed_in_on_index(phone)
    assert signed_in_on_index(theirs)


def test_sessions_end_all_can_keep_the_session_that_asked(make_user, signed_in):
    person = make_user()
    laptop, phone = signed_in(person), signed_in(person)
    keep = laptop.cookies[settings.SESSION_COOKIE_NAME].value

    assert account_services.sessions_end_all(user=person, keep_session_key=keep) == 1

    assert signed_in_on_index(laptop)
    assert not signed_in_on_index(phone)


def test_sessions_end_all_with_no_session_is_harmless(make_user):
    assert account_services.sessions_end_all(user=make_user()) == 0
