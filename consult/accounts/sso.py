"""Single sign-on with a government identity provider over OpenID Connect,
through django-allauth (configured from OIDC_* variables: consult.infra.config;
how to set it up and what is kept: docs/sso.md).

allauth's generic OpenID Connect provider does the redirect, the code
exchange with PKCE and the userinfo call. This module adds what a
government identity needs on top of it:

- a nonce in every authorization request, checked against the id_token;
- the id_token's signature checked against the provider's JWKS even though
  it came straight from the token endpoint (allauth skips that check there,
  as OpenID Connect Core 3.1.3.7 allows over TLS; we do not rely on the TLS
  set-up of every deployment), and the userinfo `sub` matched to it;
- an email trusted only when the provider says `email_verified`;
- only the link (issuer and `sub`) kept, never tokens or the other claims;
- a clear page, not a server error, when the provider is unreachable.
"""

from __future__ import annotations

import json
import logging
import secrets
import unicodedata
from typing import Any

import jwt
import requests
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django import forms
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from requests import RequestException, Response

from consult.accounts.forms import clean_display_name
from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH
from consult.accounts.signals import PersonalRows, account_erasing, personal_data
from consult.infra import names

logger = logging.getLogger(__name__)

# Public-key algorithms only: "none" and the HMAC family (keyed with the
# client secret) are refused whatever the provider advertises.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
NONCE_STATE_KEY = "nonce"
CLOCK_SKEW_SECONDS = 60
# The column allauth keeps the subject in (OpenID Connect allows 255).
SUBJECT_MAX_LENGTH = 191


# --- Claims ------------------------------------------------------------------


def display_name_from_claims(
    *, name: Any = None, given_name: Any = None, family_name: Any = None, email: Any = None
) -> str:
    """The public name of a new account: the `name` claim, else given and
    family names, else the local part of the email; "" when none is usable."""
    given_family = " ".join(part for part in (given_name, family_name) if isinstance(part, str))
    local_part = email.partition("@")[0] if isinstance(email, str) else None
    for candidate in (name, given_family, local_part):
        if not isinstance(candidate, str):
            continue
        # A provider's compatibility forms are folded (nobody typed them here).
        folded = names.tidy(unicodedata.normalize("NFKC", candidate))
        try:
            return clean_display_name(names.box_cut(folded, DISPLAY_NAME_MAX_LENGTH))
        except forms.ValidationError:
            continue
    return ""


def claim_is_true(value: Any) -> bool:
    # Some providers send booleans as strings; "false" must not count as true.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _claims(data: dict) -> dict:
    """The person's claims: userinfo over the id_token (userinfo is fuller)."""
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


# --- The id_token ------------------------------------------------------------


def id_token_verify(id_token: str, *, config: dict, client_id: str) -> dict:
    """The claims of `id_token` once its signature (by a key of the provider's
    JWKS), issuer, audience and lifetime are checked; OAuth2Error otherwise."""
    try:
        header = jwt.get_unverified_header(id_token)
        offered = config.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithm = header.get("alg")
        if algorithm not in SIGNING_ALGORITHMS.intersection(offered):
            raise OAuth2Error(f"id_token signed with {algorithm!r}, which is not accepted")
        key = _signing_key(_jwks(config["jwks_uri"]), header.get("kid"))
        claims = jwt.decode(
            id_token,
            key=key.key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=config["issuer"],
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise OAuth2Error(f"id_token not accepted ({type(exc).__name__})") from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("id_token issued to another party (azp)")
    return claims


def _jwks(url: str) -> dict:
    with get_social_adapter().get_requests_session() as session:
        response = session.get(url)
        response.raise_for_status()
        return response.json()


def _signing_key(jwks: dict, kid: str | None) -> jwt.PyJWK:
    keys = [key for key in jwt.PyJWKSet.from_dict(jwks).keys if key.public_key_use in {None, "sig"}]
    if kid is not None:
        keys = [key for key in keys if key.key_id == kid]
    if len(keys) != 1:
        raise OAuth2Error("no single key of the provider matches the id_token")
    return keys[0]


# --- Talking to the provider -------------------------------------------------

DISCOVERY_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def provider_session(session: requests.Session) -> requests.Session:
    """allauth's HTTP session to the provider, made strict: an id_token from
    the token endpoint is verified before allauth reads it, a discovery
    document must name its endpoints, and any failure to get an answer ends
    the sign-in on the error page (allauth lets some of them through as a
    server error, such as an unreachable provider at the callback)."""
    session.hooks["response"].append(_check_answer)
    send = session.request

    def request(method, url, *args, **kwargs):
        try:
            return send(method, url, *args, **kwargs)
        except (RequestException, OAuth2Error) as exc:
            page = _error_page(exc)
            if page is None:
                raise
            raise ImmediateHttpResponse(page) from exc

    session.request = request
    return session


def provider_unreachable(exception: BaseException | None) -> bool:
    if isinstance(exception, requests.HTTPError):
        return exception.response is not None and exception.response.status_code >= 500
    return isinstance(exception, RequestException)


def _check_answer(response: Response, *args, **kwargs) -> None:
    if response.request.method == "POST":
        _check_token_answer(response)  # allauth reports a refused code itself
    elif not response.ok:
        response.raise_for_status()
    elif "/.well-known/" in response.url:
        document = response.json()
        missing = [key for key in DISCOVERY_KEYS if not isinstance(document.get(key), str)]
        if missing:
            raise OAuth2Error(f"the discovery document lacks {', '.join(missing)}")


def _check_token_answer(response: Response) -> None:
    if not response.ok:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    if not isinstance(body, dict) or "id_token" not in body:
        return
    provider = _current_provider()
    if provider is None or not isinstance(body["id_token"], str):
        raise OAuth2Error("an id_token outside a sign-in")
    config = provider.get_oauth2_adapter(context.request).openid_config
    id_token_verify(body["id_token"], config=config, client_id=provider.app.client_id)


def _current_provider():
    """The provider of the sign-in view being served, if any."""
    request = context.request
    match = getattr(request, "resolver_match", None)
    provider_id = match.kwargs.get("provider_id") if match else None
    if not provider_id:
        return None
    return get_social_adapter(request).get_provider(request, provider_id)


def _error_page(exception: Exception) -> HttpResponse | None:
    provider = _current_provider()
    if provider is None:
        return None
    return render_authentication_error(context.request, provider, exception=exception)


# --- The provider ------------------------------------------------------------


class GovernmentProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with a nonce, strict claims and a
    minimal record. Returned by SocialAccountAdapter.get_provider."""

    def redirect(
        self, request: HttpRequest, process, next_url=None, data=None, **kwargs
    ) -> HttpResponse:
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        kwargs[NONCE_STATE_KEY] = nonce  # kept in the session with the state
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def sociallogin_from_response(self, request: HttpRequest, response: dict) -> SocialLogin:
        id_token = response.get("id_token")
        if not id_token:
            raise OAuth2Error("the provider sent no id_token")
        subject = id_token.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX_LENGTH:
            raise OAuth2Error("the id_token has no usable subject")
        if "userinfo" in response and (response["userinfo"] or {}).get("sub") != subject:
            # OpenID Connect Core 5.3.2: userinfo must describe the same person.
            raise OAuth2Error("userinfo describes another subject than the id_token")
        login = super().sociallogin_from_response(request, response)
        # Checked against the state in SocialAccountAdapter.pre_social_login.
        login.id_token_nonce = id_token.get("nonce")
        return login

    def extract_extra_data(self, data: dict) -> dict:
        # Stored on the SocialAccount: who vouches (iss) for whom (sub), nothing more.
        id_token = data.get("id_token") or {}
        return {"id_token": {"iss": id_token.get("iss"), "sub": id_token.get("sub")}}

    def extract_common_fields(self, data: dict) -> dict:
        return super().extract_common_fields({"userinfo": _claims(data)})

    def extract_email_addresses(self, data: dict) -> list:
        addresses = super().extract_email_addresses({"userinfo": _claims(data)})
        verified = claim_is_true(_claims(data).get("email_verified"))
        for address in addresses:
            address.email = address.email.lower()
            address.verified = verified
        return addresses


# --- The adapter -------------------------------------------------------------


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request: HttpRequest, provider, client_id=None):
        return _government(super().get_provider(request, provider, client_id=client_id))

    def list_providers(self, request: HttpRequest) -> list:
        return [_government(provider) for provider in super().list_providers(request)]

    def get_requests_session(self):
        return provider_session(super().get_requests_session())

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        expected = sociallogin.state.get(NONCE_STATE_KEY)
        received = getattr(sociallogin, "id_token_nonce", None)
        if not (isinstance(expected, str) and isinstance(received, str)) or not (
            constant_time_compare(expected, received)
        ):
            raise OAuth2Error("the id_token does not answer this sign-in (nonce)")
        # The access token has served (userinfo): keep it nowhere, not even in
        # the session of a sign-up left half-way.
        sociallogin.token = None
        user = sociallogin.user
        if user is not None and user.pk is not None and not user.is_active:
            # Before allauth connects the account or touches its password.
            account_adapter = get_account_adapter(request)
            raise ImmediateHttpResponse(account_adapter.respond_user_inactive(request, user))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        user.display_name = display_name_from_claims(
            name=data.get("name"),
            given_name=data.get("first_name"),
            family_name=data.get("last_name"),
            email=data.get("email"),
        )
        return user

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # An address the provider has not verified (or none at all) goes
        # through the sign-up form and our own confirmation mail.
        addresses = sociallogin.email_addresses
        verified = bool(addresses) and addresses[0].verified is True
        return (
            verified
            and bool(sociallogin.user.display_name)
            and super().is_auto_signup_allowed(request, sociallogin)
        )

    def get_signup_form_initial_data(self, sociallogin: SocialLogin) -> dict:
        initial = super().get_signup_form_initial_data(sociallogin)
        initial["display_name"] = sociallogin.user.display_name
        return initial

    def can_authenticate_by_email(self, login: SocialLogin, email: str) -> bool:
        # Signing in to an existing account by its address is only as safe as
        # the provider's word that the person owns it.
        vouched = any(
            address.verified is True and address.email.lower() == email.lower()
            for address in login.email_addresses
        )
        return vouched and super().can_authenticate_by_email(login, email)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        name = getattr(provider, "sub_id", provider)
        if error == AuthError.CANCELLED:
            logger.info("Sign-in with %s cancelled at the provider", name)
        else:
            # For the operator: a misconfigured client shows here. Our own
            # messages carry no personal data; the log filter masks the rest.
            reason = f"{type(exception).__name__}: {exception}"[:300] if exception else error
            logger.warning("Sign-in with %s failed: %s", name, reason)
        if extra_context is not None:
            extra_context["provider_unreachable"] = provider_unreachable(exception)
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )


def _government(provider):
    if type(provider) is OpenIDConnectProvider:
        return GovernmentProvider(provider.request, app=provider.app)
    return provider


# --- Erasing and exporting a person's data -----------------------------------
# Connected when this module is imported: the accounts app imports it when it
# starts, so that every process (the task worker too) has them. The archive's
# one table of sign-in links is this one.

SIGN_IN_LINKS = _("Accounts at other services (such as a government sign-in) linked to yours.")


@receiver(account_erasing, dispatch_uid="sso-erase")
def socialaccounts_erase(sender, *, user, **kwargs) -> None:
    """An erased account can no longer be reached through the provider: the
    link to its `sub` goes (with any token, though none is stored)."""
    SocialAccount.objects.filter(user=user).delete()


@receiver(personal_data, dispatch_uid="sso-personal-data")
def socialaccounts_personal_data(sender, *, user, **kwargs) -> dict[str, list[dict]]:
    rows = SocialAccount.objects.filter(user=user).order_by("pk")
    return {
        "sign_in_links": PersonalRows(
            (
                {
                    "provider": account.provider,
                    "subject": account.uid,
                    "issuer": _issuer(account.extra_data),
                    "connected_at": account.date_joined.isoformat(),
                    "last_sign_in": account.last_login.isoformat(),
                }
                for account in rows
            ),
            about=SIGN_IN_LINKS,
        )
    }


def _issuer(extra_data: Any) -> str | None:
    id_token = extra_data.get("id_token") if isinstance(extra_data, dict) else None
    return id_token.get("iss") if isinstance(id_token, dict) else None
