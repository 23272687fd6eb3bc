"""The id_token check that runs on every token the provider sends: only the
provider's own public key, issuer, our client and a current time pass."""

from __future__ import annotations

import time

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error

from consult.accounts.sso import display_name_from_claims, id_token_verify
from tests.accounts.sso.provider import new_key


def claims(provider, **overrides) -> dict:
    now = int(time.time())
    base = {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "sub": "248289761001",
        "iat": now,
        "exp": now + 300,
    }
    return {key: value for key, value in {**base, **overrides}.items() if value is not None}


def signed(provider, payload: dict, *, key=None, algorithm="RS256", kid=None) -> str:
    headers = {"kid": provider.kid if kid is None else kid}
    return jwt.encode(payload, key or provider.key, algorithm=algorithm, headers=headers)


def verify(provider, token: str) -> dict:
    return id_token_verify(token, config=provider.discovery(), client_id=provider.client_id)


def test_a_token_of_the_provider_passes(oidc_provider):
    result = verify(oidc_provider, signed(oidc_provider, claims(oidc_provider)))
    assert result["sub"] == "248289761001"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda p: signed(p, claims(p), key=new_key()), id="another key"),
        pytest.param(lambda p: signed(p, claims(p), kid="unknown"), id="unknown key id"),
        pytest.param(
            lambda p: jwt.encode(claims(p), p.client_secret, algorithm="HS256"),
            id="HMAC with the client secret",
        ),
        pytest.param(lambda p: jwt.encode(claims(p), None, algorithm="none"), id="unsigned"),
        pytest.param(lambda p: signed(p, claims(p, aud="another-client")), id="audience"),
        pytest.param(lambda p: signed(p, claims(p, iss="https://impostor")), id="issuer"),
        pytest.param(lambda p: signed(p, claims(p, exp=int(time.time()) - 120)), id="expired"),
        pytest.param(lambda p: signed(p, claims(p, exp=None)), id="no expiry"),
        pytest.param(lambda p: signed(p, claims(p, sub=None)), id="no subject"),
        pytest.param(
            lambda p: signed(p, claims(p, aud=[p.client_id, "another-client"])),
            id="shared audience without azp",
        ),
        pytest.param(lambda p: "not.a.token", id="garbage"),
    ],
)
def test_a_forged_or_misdirected_token_is_refused(oidc_provider, forge):
    with pytest.raises(OAuth2Error):
        verify(oidc_provider, forge(oidc_provider))


def test_a_shared_audience_names_us_as_the_authorized_party(oidc_provider):
    payload = claims(
        oidc_provider, aud=[oidc_provider.client_id, "another"], azp=oidc_provider.client_id
    )
    assert verify(oidc_provider, signed(oidc_provider, payload))["azp"] == "consult-test"


def test_an_algorithm_the_provider_does_not_announce_is_refused(oidc_provider):
    config = {**oidc_provider.discovery(), "id_token_signing_alg_values_supported": ["ES256"]}
    token = signed(oidc_provider, claims(oidc_provider))
    with pytest.raises(OAuth2Error):
        id_token_verify(token, config=config, client_id=oidc_provider.client_id)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"name": "  Ada   Lovelace "}, "Ada Lovelace"),
        ({"name": "", "given_name": "Ada", "family_name": "Lovelace"}, "Ada Lovelace"),
        ({"given_name": "Ada"}, "Ada"),
        ({"family_name": "Lovelace", "email": "ada@example.org"}, "Lovelace"),
        ({"email": "ada.l@example.org"}, "ada.l"),
        ({"name": "\u202eevil", "email": "ada@example.org"}, "ada"),
        ({"name": 42, "email": "ada@example.org"}, "ada"),
        ({"name": "\uff46\uff55\uff4c\uff4c"}, "full"),  # full-width letters fold
        ({"name": "é" * 80}, "é" * 60),
        ({}, ""),
    ],
)
def test_display_name_from_claims(claims, expected):
    assert display_name_from_claims(**claims) == expected
