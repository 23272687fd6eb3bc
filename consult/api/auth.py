"""`Authorization: Bearer <token>` with a personal access token."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from consult.api import throttling, tokens

SCHEMES = {b"bearer", b"token"}
NOT_VALID = _(
    "This token is not valid: it may be mistyped, revoked or expired, or its account closed. "
    "Make a new one in your account."
)


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _space, raw = get_authorization_header(request).partition(b" ")
        if scheme.lower() not in SCHEMES:
            return None
        try:
            token = tokens.token_for(raw.strip().decode("ascii"))
        except UnicodeDecodeError:
            token = None
        if token is None:
            # Guessing costs the address its allowance like any request.
            throttling.count_failure(request)
            raise AuthenticationFailed(NOT_VALID)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token made in your account (cst_…).",
        }
