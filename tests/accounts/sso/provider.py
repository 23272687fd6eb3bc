"""A small OpenID Connect provider for the tests, on 127.0.0.1 and a random port.

It auto-approves one configured person at /authorize, checking what a real
provider checks: the client, the registered redirect URI, response_type=code,
a state, a nonce and a PKCE S256 challenge. /token authenticates the client
by the configured method, takes each code once, checks the PKCE verifier and
returns an access token and an RS256 id_token. /userinfo wants the access
token as a Bearer; /jwks publishes the public key.

Tests steer it through attributes: `person` (the claims of whoever signs in),
`signing_key` (another key signs the id_token), `id_token_claims` (claims
forced into the next id_tokens, such as a wrong nonce), `userinfo_claims`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def provider_key() -> rsa.RSAPrivateKey:
    """One key for every provider of the session: making one takes a while."""
    return new_key()


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    scope: list[str]
    person: dict[str, Any]


@dataclass
class LocalProvider:
    client_id: str = "consult-test"
    client_secret: str = "test-secret-9f2c0b7e4d1a8c3f5e6a7b8c"
    token_auth_method: str = "client_secret_basic"
    redirect_uris: set[str] = field(default_factory=set)
    person: dict[str, Any] = field(default_factory=dict)
    key: rsa.RSAPrivateKey = field(default_factory=provider_key)
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    # Set by tests: sign with another key, force claims into the next tokens.
    signing_key: rsa.RSAPrivateKey | None = None
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    # What happened, for assertions: one (method, path) per request, refusals.
    requests: list[tuple[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes: dict[str, Grant] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalProvider:
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    # --- documents -----------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [self.token_auth_method],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "sub": grant.person["sub"],
            "nonce": grant.nonce,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            **{k: v for k, v in grant.person.items() if k != "sub"},
            **self.id_token_claims,
        }
        key = self.signing_key or self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    # --- endpoints -----------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body). Errors about the client or the redirect URI
        are shown, never redirected (OAuth 2.0, section 4.1.2.1)."""
        if query.get("client_id") != self.client_id:
            return self._refuse_page("unknown client_id")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            return self._refuse_page(f"unregistered redirect_uri {redirect_uri!r}")
        state = query.get("state", "")
        problem = self._authorize_problem(query)
        if problem:
            self.refusals.append(problem)
            params = {"error": "invalid_request", "error_description": problem, "state": state}
            return 302, {"Location": f"{redirect_uri}?{urlencode(params)}"}, b""
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                nonce=query["nonce"],
                code_challenge=query["code_challenge"],
                scope=query["scope"].split(),
                person=dict(self.person),
            )
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"
        return 302, {"Location": location}, b""

    def _authorize_problem(self, query: dict[str, str]) -> str:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in query.get("scope", "").split():
            return "scope must include openid"
        if not query.get("state"):
            return "state is required"
        if not query.get("nonce"):
            return "nonce is required"
        if query.get("code_challenge_method") != "S256":
            return "PKCE with S256 is required"
        if not 43 <= len(query.get("code_challenge", "")) <= 128:
            return "code_challenge is malformed"
        return ""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        problem = self._client_problem(form, authorization)
        if problem:
            self.refusals.append(problem)
            return 401, {"error": "invalid_client", "error_description": problem}
        if form.get("grant_type") != "authorization_code":
            return self._refuse_token("unsupported_grant_type", "grant_type")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            return self._refuse_token("invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse_token("invalid_grant", "redirect_uri differs")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
            return self._refuse_token("invalid_grant", "PKCE verifier does not match")
        access_token = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access_token] = grant.person
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }

    def _client_problem(self, form: dict[str, str], authorization: str) -> str:
        if self.token_auth_method == "client_secret_basic":
            if "client_secret" in form:
                return "client_secret sent in the body, expected HTTP Basic"
            if not authorization.startswith("Basic "):
                return "HTTP Basic authentication expected"
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                return "malformed HTTP Basic credentials"
            client_id, _, secret = decoded.partition(":")
            # RFC 6749 2.3.1 form-encodes both; clients that do not are accepted too.
            if (unquote(client_id), unquote(secret)) != (self.client_id, self.client_secret):
                return "wrong client credentials"
            return ""
        if authorization:
            return f"unexpected Authorization header for {self.token_auth_method}"
        if form.get("client_id") != self.client_id:
            return "wrong client_id"
        if self.token_auth_method == "client_secret_post":
            if form.get("client_secret") != self.client_secret:
                return "wrong client_secret"
        elif "client_secret" in form:
            return "a public client sends no secret"
        return ""

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
        with self.lock:
            person = self.access_tokens.get(token)
        if person is None:
            self.refusals.append("userinfo without a valid access token")
            return 401, {"error": "invalid_token"}
        return 200, {**person, **self.userinfo_claims}

    def _refuse_page(self, problem: str) -> tuple[int, dict[str, str], bytes]:
        self.refusals.append(problem)
        return 400, {"Content-Type": "text/plain"}, problem.encode()

    def _refuse_token(self, error: str, problem: str) -> tuple[int, dict[str, Any]]:
        self.refusals.append(problem)
        return 400, {"error": error, "error_description": problem}


def _handler_for(provider: LocalProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            provider.requests.append(("GET", url.path))
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                status, headers, body = provider.authorize(query)
                self._send(status, headers, body)
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._send(404, {}, b"")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            provider.requests.append(("POST", url.path))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            if url.path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._send(404, {}, b"")

        def _json(self, status: int, body: dict[str, Any]) -> None:
            headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
            self._send(status, headers, json.dumps(body).encode())

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
