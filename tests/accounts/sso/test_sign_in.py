"""Signing in with the government identity provider, end to end: the site, a
real local OpenID Connect provider over HTTP, and the browser's redirects
between them (docs/sso.md)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.urls import reverse

from consult.accounts.models import User
from tests.accounts.sso.conftest import (
    PERSON,
    PROVIDER_ID,
    authorize,
    callback,
    configure,
    sign_in,
    signed_in_user_id,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "none"])
def test_first_sign_in_makes_a_verified_account_linked_to_the_subject(
    client,
    oidc_provider,
    monkeypatch,
    settings,
    mailoutbox,
    method,
    django_capture_on_commit_callbacks,
):
    oidc_provider.token_auth_method = method
    if method == "none":
        oidc_provider.client_secret = ""
    configure(monkeypatch, settings, oidc_provider)

    with django_capture_on_commit_callbacks(execute=True):
        journey = sign_in(client)

    assert journey.response.status_code == 302
    assert journey.response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    user = User.objects.get()
    assert signed_in_user_id(client) == user.pk
    assert (user.email, user.display_name) == ("ada@example.org", "Ada Lovelace")
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("ada@example.org", True, True)
    assert mailoutbox == []  # the provider vouched for the address: no confirmation mail
    link = SocialAccount.objects.get(user=user)
    assert (link.provider, link.uid) == (PROVIDER_ID, PERSON["sub"])
    # Only who vouches for whom is kept: no tokens, no other claims.
    assert link.extra_data == {"id_token": {"iss": oidc_provider.issuer, "sub": PERSON["sub"]}}
    assert not SocialToken.objects.exists()
    assert oidc_provider.refusals == []


def test_signing_in_starts_a_new_session(client, oidc):
    client.get(reverse("account_login"))
    start(client)
    before = client.session.session_key

    sign_in(client)

    assert signed_in_user_id(client) is not None
    assert client.session.session_key != before


def test_the_request_to_the_provider_carries_state_nonce_and_pkce(client, oidc):
    to_provider = start(client)
    query = parse_qs(urlsplit(to_provider["Location"]).query)
    assert to_provider["Location"].startswith(f"{oidc.issuer}/authorize?")
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 16
    assert query["redirect_uri"] == [
        f"https://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/"
    ]


def test_two_sign_ins_start_with_different_nonces(client, oidc):
    first = parse_qs(urlsplit(start(client)["Location"]).query)
    second = parse_qs(urlsplit(start(client)["Location"]).query)
    assert first["nonce"] != second["nonce"]
    assert first["state"] != second["state"]


def test_a_second_sign_in_reuses_the_account(client, oidc):
    sign_in(client)
    user = User.objects.get()
    user.display_name = "Ada L."  # the person changed it here
    user.save()
    client.logout()
    oidc.person["name"] = "Augusta Ada King"

    journey = sign_in(client)

    assert journey.response.status_code == 302
    assert signed_in_user_id(client) == user.pk
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1
    user.refresh_from_db()
    assert user.display_name == "Ada L."  # the provider does not overwrite it


def test_after_sign_in_the_person_lands_where_they_started(client, oidc):
    journey = sign_in(client, next="/consultations/")
    assert journey.response["Location"] == "/consultations/"


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"name": None, "given_name": "Grace", "family_name": "Hopper"}, "Grace Hopper"),
        ({"name": None, "given_name": None, "family_name": None}, "ada"),
        ({"name": "  Ada\u202e  Lovelace "}, "Grace Hopper"),  # a bidi override: next choice
        ({"name": "x" * 300}, "x" * 60),
    ],
)
def test_display_name_falls_back_from_name_to_given_and_family_to_the_email(
    client, oidc, claims, expected
):
    if expected == "Grace Hopper":
        claims = {"given_name": "Grace", "family_name": "Hopper", **claims}
    oidc.person.update(claims)
    oidc.person = {key: value for key, value in oidc.person.items() if value is not None}

    sign_in(client)

    assert User.objects.get().display_name == expected


# --- Email addresses ---------------------------------------------------------


@pytest.mark.parametrize("email_verified", [False, "false", None])
def test_an_address_the_provider_did_not_verify_goes_through_the_signup_form(
    client, oidc, mailoutbox, django_capture_on_commit_callbacks, email_verified
):
    if email_verified is None:
        del oidc.person["email_verified"]
    else:
        oidc.person["email_verified"] = email_verified

    journey = sign_in(client)

    assert journey.response.status_code == 302
    assert journey.response["Location"] == reverse("socialaccount_signup")
    assert not User.objects.exists()
    assert "token" not in client.session["socialaccount_sociallogin"]
    form_page = client.get(reverse("socialaccount_signup"))
    assert form_page.context["form"].initial["email"] == "ada@example.org"
    assert form_page.context["form"].initial["display_name"] == "Ada Lovelace"
    assert "Finish creating your account" in form_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("socialaccount_signup"),
            {"email": "ada@example.org", "display_name": "Ada"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.display_name == "Ada"
    assert not EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == PERSON["sub"]
    assert signed_in_user_id(client) is None  # not until the address is confirmed
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]


def test_without_an_email_the_signup_form_asks_for_one(client, oidc):
    del oidc.person["email"]
    del oidc.person["email_verified"]

    sign_in(client)
    response = client.post(reverse("socialaccount_signup"), {"display_name": "Ada"})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize("display_name", ["", "   ", "\u202e\u202e", "x" * 61])
def test_the_signup_form_refuses_a_bad_display_name(client, oidc, display_name):
    oidc.person["email_verified"] = False
    sign_in(client)

    response = client.post(
        reverse("socialaccount_signup"), {"email": "ada@example.org", "display_name": display_name}
    )

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_verified_address_signs_in_to_the_existing_account_and_links_it(client, oidc, make_user):
    existing = make_user("Ada@Example.org", "Ada (local)")
    assert existing.has_usable_password()

    journey = sign_in(client)

    assert journey.response.status_code == 302
    assert signed_in_user_id(client) == existing.pk
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == existing
    existing.refresh_from_db()
    assert existing.display_name == "Ada (local)"
    assert existing.has_usable_password()  # the address was verified here too


def test_an_unverified_local_account_loses_its_password_when_the_owner_signs_in(
    client, oidc, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone may have signed up with another person's address and waited:
    once the address's owner signs in through the provider, that password no
    longer opens the account, and the owner confirms the address by mail."""
    squatted = make_user("ada@example.org", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        journey = sign_in(client)

    assert journey.response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    squatted.refresh_from_db()
    assert not squatted.has_usable_password()
    assert SocialAccount.objects.get().user == squatted
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]


def test_an_unverified_address_never_signs_in_to_an_existing_account(
    client, oidc, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    existing = make_user("ada@example.org")
    oidc.person["email_verified"] = False

    journey = sign_in(client)
    assert journey.response["Location"] == reverse("socialaccount_signup")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("socialaccount_signup"), {"email": "ada@example.org", "display_name": "Ada"}
        )

    assert signed_in_user_id(client) is None
    assert list(User.objects.all()) == [existing]
    assert not SocialAccount.objects.exists()
    existing.refresh_from_db()
    assert existing.has_usable_password()
    # The owner hears that someone tried; the page reveals nothing.
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]


def test_without_email_authentication_a_taken_address_does_not_sign_in(
    client, oidc, make_user, settings
):
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
    existing = make_user("ada@example.org")

    sign_in(client)

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.filter(user=existing).exists()


# --- Refusals ------------------------------------------------------------------


def assert_refused(response, *, provider_down: bool = False) -> None:
    assert response.status_code == 401
    page = response.content.decode()
    assert "Sign-in did not work" in page
    assert ("could not be reached" in page) is provider_down
    assert not SocialAccount.objects.exists()


def test_a_tampered_state_is_refused(client, oidc):
    to_provider = start(client)
    back = authorize(to_provider["Location"])
    tampered = back.replace("state=", "state=x")

    response = callback(client, tampered)

    assert_refused(response)
    assert signed_in_user_id(client) is None
    assert ("POST", "/token") not in oidc.requests  # the code was never redeemed


@pytest.mark.parametrize(
    "query",
    [{}, {"code": "made-up"}, {"code": "made-up", "state": "made-up"}, {"state": "x" * 5000}],
)
def test_a_callback_nobody_started_is_refused(client, oidc, query):
    url = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    assert_refused(client.get(url, query))
    assert oidc.requests == []


def test_an_unknown_provider_is_not_found(client, oidc):
    url = reverse("openid_connect_login", kwargs={"provider_id": "elsewhere"})
    assert client.post(url).status_code == 404
    url = reverse("openid_connect_callback", kwargs={"provider_id": "elsewhere"})
    assert client.get(url, {"code": "x", "state": "y"}).status_code == 404


def test_a_callback_cannot_be_replayed(client, oidc):
    journey = sign_in(client)
    client.logout()

    response = callback(client, journey.back_to_site)

    assert response.status_code == 401
    assert signed_in_user_id(client) is None


def test_an_id_token_for_another_sign_in_is_refused(client, oidc):
    oidc.id_token_claims = {"nonce": "a-nonce-from-another-sign-in"}

    journey = sign_in(client)

    assert_refused(journey.response)
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()


def test_an_id_token_without_a_nonce_is_refused(client, oidc):
    oidc.id_token_claims = {"nonce": None}

    assert_refused(sign_in(client).response)


def test_an_id_token_signed_by_another_key_is_refused(client, oidc):
    from tests.accounts.sso.provider import new_key

    oidc.signing_key = new_key()

    journey = sign_in(client)

    assert_refused(journey.response)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"iss": "https://impostor.example"},
        {"exp": 1_000_000_000},
    ],
)
def test_an_id_token_for_another_audience_issuer_or_time_is_refused(client, oidc, claims):
    oidc.id_token_claims = claims
    assert_refused(sign_in(client).response)


def test_userinfo_about_another_person_is_refused(client, oidc):
    oidc.userinfo_claims = {"sub": "someone-else"}
    assert_refused(sign_in(client).response)
    assert not User.objects.exists()


def test_a_provider_that_refuses_the_code_gives_the_error_page(client, oidc):
    oidc.client_secret = "rotated-on-the-provider-side"

    journey = sign_in(client)

    assert_refused(journey.response)
    assert "wrong client credentials" in oidc.refusals


def test_provider_down_at_the_start_gives_a_clear_page(client, oidc):
    oidc.stop()

    response = start(client)

    assert_refused(response, provider_down=True)


def test_provider_down_at_the_callback_gives_a_clear_page(client, oidc):
    back = authorize(start(client)["Location"])
    oidc.stop()

    response = callback(client, back)

    assert_refused(response, provider_down=True)
    assert signed_in_user_id(client) is None


def test_cancelling_at_the_provider_says_so(client, oidc):
    to_provider = start(client)
    state = parse_qs(urlsplit(to_provider["Location"]).query)["state"][0]
    url = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})

    response = client.get(url, {"error": "access_denied", "state": state}, follow=True)

    assert "Sign-in cancelled" in response.content.decode()
    assert signed_in_user_id(client) is None


# --- Accounts that may not sign in ---------------------------------------------


def test_an_inactive_account_cannot_sign_in_through_its_link(client, oidc):
    sign_in(client)
    user = User.objects.get()
    client.logout()
    user.is_active = False
    user.save()

    journey = sign_in(client)

    assert journey.response.status_code == 302
    assert journey.response["Location"] == reverse("account_inactive")
    assert signed_in_user_id(client) is None


def test_an_inactive_account_is_not_reached_by_its_address_either(client, oidc, make_user):
    inactive = make_user("ada@example.org", is_active=False)

    journey = sign_in(client)

    assert journey.response["Location"] == reverse("account_inactive")
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()  # not linked, password untouched
    inactive.refresh_from_db()
    assert inactive.has_usable_password()


def test_a_suspended_person_still_signs_in(client, oidc, make_user):
    from django.utils import timezone

    banned = make_user("ada@example.org", banned_at=timezone.now())

    sign_in(client)

    assert signed_in_user_id(client) == banned.pk


def test_a_second_factor_is_still_asked_for(client, oidc, make_user):
    from allauth.mfa.models import Authenticator

    staff = make_user("ada@example.org", is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})

    journey = sign_in(client)

    assert journey.response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
