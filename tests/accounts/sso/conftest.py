"""A local OpenID Connect provider per test, and the site configured to use it
through the same OIDC_* variables as production."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from consult.infra import config
from tests.accounts.sso.provider import LocalProvider

PROVIDER_ID = "government"
PERSON = {
    "sub": "248289761001",
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.org",
    "email_verified": True,
}


@pytest.fixture
def oidc_provider(settings):
    callback = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    provider = LocalProvider(
        redirect_uris={f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://testserver{callback}"},
        person=dict(PERSON),
    ).start()
    yield provider
    provider.stop()


def configure(monkeypatch, settings, provider: LocalProvider, **env: str) -> None:
    """Point the site at `provider` by the environment, as a deployment does."""
    variables = {
        "OIDC_SERVER_URL": provider.issuer,
        "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret,
        "OIDC_TOKEN_AUTH_METHOD": provider.token_auth_method,
        "OIDC_PROVIDER_ID": PROVIDER_ID,
        **env,
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.SOCIALACCOUNT_PROVIDERS = config.oidc_providers()


@pytest.fixture
def oidc(oidc_provider, monkeypatch, settings) -> LocalProvider:
    """The provider, configured; with the two settings docs/sso.md asks for."""
    configure(monkeypatch, settings, oidc_provider)
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
    return oidc_provider


@dataclass
class Journey:
    """One sign-in, step by step: the site's redirect to the provider, the
    provider's redirect back, and the site's answer to the callback."""

    to_provider: HttpResponse
    back_to_site: str
    response: HttpResponse


def start(client: Client, **data: str) -> HttpResponse:
    url = reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
    return client.post(url, data)


def authorize(url: str) -> str:
    """The browser at the provider: the address it is sent back to."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback(client: Client, url: str) -> HttpResponse:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, **data: str) -> Journey:
    to_provider = start(client, **data)
    assert to_provider.status_code == 302, to_provider.content.decode()
    back = authorize(to_provider["Location"])
    return Journey(to_provider, back, callback(client, back))


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None
