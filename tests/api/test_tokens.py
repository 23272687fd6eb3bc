"""Tokens made and revoked in the account, and which of them the API takes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.api import tokens
from consult.api.models import AccessToken
from consult.api.tokens import digest
from discussion.models import Comment
from tests.api.conftest import body, post_json
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_citizen_makes_sees_once_and_revokes_a_token(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    page = client.get("/accounts/tokens/")
    assert b"You have no active tokens" in page.content
    made = client.post("/accounts/tokens/", {"name": "My script", "can_write": "on", "days": "30"})
    assert made.status_code == 302
    shown = client.get("/accounts/tokens/").content.decode()
    token = AccessToken.objects.get(user=people.citizen)
    raw = shown.split('id="new-token-value" class="token-value" type="text" readonly value="')[1]
    raw = raw.split('"')[0]
    assert raw.startswith(token.prefix + "_") and token.digest == digest(raw)
    assert raw not in "".join(str(v) for v in AccessToken.objects.values_list()[0])
    assert token.can_write and token.expires_at - timezone.now() > timedelta(days=29)
    assert raw not in client.get("/accounts/tokens/").content.decode()  # shown once
    api = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert body(api)["token_name"] == "My script" and api["Cache-Control"] == "private, no-cache"
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    refused = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 401 and body(refused)["error"]["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_forms_are_refused_with_the_form_kept(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    for data in (
        {"name": "   ", "days": "30"},
        {"name": "x" * 81, "days": "30"},
        {"name": "ok", "days": "7"},
    ):
        response = client.post("/accounts/tokens/", data)
        assert response.status_code == 400 and b"form-error-summary" in response.content
    assert not AccessToken.objects.exists()


def test_a_21st_token_is_refused_with_the_name_kept(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    for n in range(tokens.MAX_ACTIVE_PER_USER):
        client.post("/accounts/tokens/", {"name": f"Script {n}", "days": "30"})
    assert AccessToken.objects.filter(user=people.citizen).count() == 20

    response = client.post("/accounts/tokens/", {"name": "The twenty-first", "days": "30"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "You have 20 active tokens, the most allowed." in page
    assert 'value="The twenty-first"' in page
    assert AccessToken.objects.filter(user=people.citizen).count() == 20
    assert not AccessToken.objects.filter(name="The twenty-first").exists()


def test_nobody_revokes_anothers_token(client, people, token_for):
    token_for(people.moderator)
    theirs = AccessToken.objects.get(user=people.moderator)
    client.login(email=people.citizen.email, password=PASSWORD)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_expired_mistyped_and_closed_account_tokens_are_refused(client_api, people, token_for):
    headers = token_for(people.citizen)
    assert client_api.get("/api/v1/me/", **headers).status_code == 200
    assert client_api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer cst_nope").status_code == 401
    assert client_api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer \u00e9").status_code == 401
    assert client_api.get("/api/v1/me/").status_code == 401
    AccessToken.objects.update(expires_at=timezone.now())
    assert client_api.get("/api/v1/me/", **headers).status_code == 401
    AccessToken.objects.update(expires_at=None)
    people.citizen.is_active = False
    people.citizen.save()
    assert client_api.get("/api/v1/me/", **headers).status_code == 401


def test_a_signed_in_browser_session_does_not_write_through_the_api(client, open_proposal, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    response = post_json(client, url, {"body": "From a browser"})
    assert response.status_code == 401
    assert not Comment.objects.exists()


def test_a_new_password_revokes_every_token(client, client_api, people, token_for):
    headers = token_for(people.citizen)
    client.login(email=people.citizen.email, password=PASSWORD)
    changed = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a new horse battery",
            "password2": "a new horse battery",
        },
    )
    assert changed.status_code == 302
    assert client_api.get("/api/v1/me/", **headers).status_code == 401
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()
