"""The sign-in button, the pages around a sign-in, and what a person's
link to the provider means for their data."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from consult.accounts.signals import account_erasing, personal_data
from consult.accounts.sso import socialaccounts_erase, socialaccounts_personal_data
from tests.accounts.sso.conftest import PERSON, PROVIDER_ID, sign_in, signed_in_user_id, start
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = f"/accounts/oidc/{PROVIDER_ID}/login/"


@pytest.mark.parametrize("page", ["account_login", "account_signup"])
def test_sign_in_and_sign_up_pages_offer_the_provider_as_a_form(client, oidc, page):
    html = client.get(reverse(page)).content.decode()
    assert "Or sign in with your government identity" in html
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden"', html)
    assert form and form.group(1).startswith(f"{LOGIN_URL}?process=login")
    assert "Sign in with Government ID" in html


def test_the_button_keeps_where_the_person_was_going(client, oidc):
    html = client.get(reverse("account_login"), {"next": "/consultations/"}).content.decode()
    assert f"{LOGIN_URL}?process=login&amp;next=%2Fconsultations%2F" in html


def test_no_button_when_single_sign_on_is_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    html = client.get(reverse("account_login")).content.decode()
    assert "government identity" not in html
    assert client.post(LOGIN_URL).status_code == 404


def test_a_link_to_the_sign_in_asks_before_leaving(client, oidc):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "You will be sent to Government ID" in response.content.decode()
    assert oidc.requests == []  # nothing starts on a GET


def test_the_provider_name_comes_from_the_environment(client, oidc_provider, monkeypatch, settings):
    from tests.accounts.sso.conftest import configure

    configure(monkeypatch, settings, oidc_provider, OIDC_NAME="MyGov <ID>")
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with MyGov &lt;ID&gt;" in html


def test_a_discovery_document_without_endpoints_gives_the_error_page(client, oidc, monkeypatch):
    document = oidc.discovery()
    del document["token_endpoint"]
    monkeypatch.setattr(oidc, "discovery", lambda: document)

    response = start(client)

    assert response.status_code == 401
    assert "Sign-in did not work" in response.content.decode()


def test_a_failing_userinfo_endpoint_gives_the_error_page(client, oidc, monkeypatch):
    monkeypatch.setattr(oidc, "userinfo", lambda authorization: (503, {"error": "busy"}))

    response = sign_in(client).response

    assert response.status_code == 401
    assert "could not be reached or did not answer properly" in response.content.decode()
    assert signed_in_user_id(client) is None


# --- The connections page ------------------------------------------------------


def test_the_connections_page_shows_the_link_and_refuses_to_remove_the_only_way_in(client, oidc):
    sign_in(client)
    page = client.get(reverse("socialaccount_connections"))
    html = page.content.decode()
    assert "Government ID, connected on" in html
    assert PERSON["sub"] not in html  # an opaque number means nothing to the person

    account = SocialAccount.objects.get()
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 200
    assert "no password" in response.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_local_account_can_connect_the_provider(client, oidc, make_user):
    person = make_user("someone.else@example.org")
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    html = client.get(reverse("socialaccount_connections")).content.decode()
    assert "not connected to a government identity" in html
    assert f"{LOGIN_URL}?process=connect" in html

    sign_in(client, process="connect")

    link = SocialAccount.objects.get()
    assert (link.user, link.uid) == (person, PERSON["sub"])
    assert signed_in_user_id(client) == person.pk


# --- Erasing and exporting -------------------------------------------------------


def test_erasing_an_account_removes_its_link_to_the_provider(client, oidc, make_user):
    sign_in(client)
    link = SocialAccount.objects.get()
    other = make_user()
    SocialAccount.objects.create(user=other, provider=PROVIDER_ID, uid="someone-else")

    account_erasing.send(sender=None, user=link.user)

    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["someone-else"]


def test_after_erasing_the_same_person_signs_up_afresh(client, oidc):
    sign_in(client)
    first = SocialAccount.objects.get().user
    client.logout()
    # What consult.privacy does, as far as signing in is concerned.
    socialaccounts_erase(sender=None, user=first)
    EmailAddress.objects.filter(user=first).delete()
    first.email = f"deleted-{first.pk}@invalid"
    first.is_active = False
    first.save()

    sign_in(client)

    assert signed_in_user_id(client) not in (None, first.pk)


def test_the_link_is_part_of_the_persons_data(client, oidc):
    sign_in(client)
    link = SocialAccount.objects.get()

    answers = dict(personal_data.send(sender=None, user=link.user))

    assert answers[socialaccounts_personal_data] == {
        "sign_in_links": [
            {
                "provider": PROVIDER_ID,
                "subject": PERSON["sub"],
                "issuer": oidc.issuer,
                "connected_at": link.date_joined.isoformat(),
                "last_sign_in": link.last_login.isoformat(),
            }
        ]
    }
