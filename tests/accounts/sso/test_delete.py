"""An account made through single sign-on has no password: deleting it needs
a sign-in with the provider in the last few minutes, then its address typed."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows import login as allauth_login
from allauth.socialaccount.models import SocialAccount

from consult.accounts.models import User
from tests.accounts.sso.conftest import sign_in

pytestmark = pytest.mark.django_db

DELETE = "/accounts/privacy/delete/"


def test_a_fresh_sign_in_with_the_provider_allows_deleting_and_removes_the_link(client, oidc):
    assert sign_in(client).response.status_code == 302
    user = User.objects.get()
    page = client.get(DELETE).content.decode()
    assert "For your safety" not in page
    done = client.post(DELETE, {"confirmation": user.email})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.deleted_at is not None and not SocialAccount.objects.exists()


def test_an_old_session_is_sent_to_sign_in_again_with_the_provider(client, oidc):
    assert sign_in(client).response.status_code == 302
    user = User.objects.get()
    session = client.session
    records = session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY]
    session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": time.time() - 3600} for record in records
    ]
    session.save()

    page = client.get(DELETE).content.decode()
    assert "For your safety" in page
    assert "Sign in again with" in page
    assert "/accounts/oidc/" in page and "process=login" in page
    refused = client.post(DELETE, {"confirmation": user.email})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.deleted_at is None

    # Signing in again through the provider makes it recent.
    assert sign_in(client).response.status_code == 302
    assert client.post(DELETE, {"confirmation": user.email}).status_code == 302
    user.refresh_from_db()
    assert user.deleted_at is not None
