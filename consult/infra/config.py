"""Reading the environment into settings, with one-line errors.

Nothing here imports Django settings: the settings module calls these
functions, and so do the launcher and the start-up checks.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is malformed or points nowhere. The message names the setting."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(name, f"expected true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(
    name: str, default: list[str]
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated networks ('10.0.0.0/8', '2001:db8::/32') or single addresses."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                name, f"expected networks like 10.0.0.0/8 or 127.0.0.1, got {item!r}"
            ) from None
    return networks


def secret_key(base_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept locally.

    The local file is git-ignored and readable by its owner only, so a fresh
    clone never shares a key with anyone.
    """
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ConfigError("SECRET_KEY", "must be at least 50 characters long")
        return key
    path = base_dir / ".secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SUPPORTED_DATABASE_SCHEMES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
}


def database(url: str, *, default_path: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL; SQLite in WAL mode when unset."""
    if not url:
        return sqlite_database(default_path)
    scheme = _split("DATABASE_URL", url).scheme
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigError(
            "DATABASE_URL",
            f"unsupported or missing scheme in {redact(url)!r}; "
            "use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/name",
        )
    if scheme == "sqlite":
        # sqlite:///relative/file.sqlite3 or sqlite:////absolute/file.sqlite3
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            raise ConfigError("DATABASE_URL", "an SQLite URL needs a file path")
        if not Path(path).parent.is_dir():
            raise ConfigError("DATABASE_URL", f"the folder of {path!r} does not exist")
        return sqlite_database(Path(path))
    import dj_database_url

    try:
        # No persistent connections: under ASGI every request runs in a thread
        # of its own, and a connection kept for its thread is only closed when
        # the collector finds it (docs/benchmarks.md, the write path).
        config = dj_database_url.parse(url, conn_max_age=0)
    except Exception as exc:  # dj_database_url raises several kinds
        raise ConfigError("DATABASE_URL", f"cannot be parsed ({exc})") from None
    if not config.get("NAME"):
        raise ConfigError("DATABASE_URL", "names no database (add /dbname at the end)")
    try:
        config.get("PORT") and int(config["PORT"])
    except ValueError:
        raise ConfigError("DATABASE_URL", "has a port that is not a number") from None
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    if pool := database_pool():
        config["OPTIONS"]["pool"] = pool
    return config


def database_pool() -> dict | None:
    """psycopg's connection pool for PostgreSQL, per process, when DATABASE_POOL
    is true (docs/architecture.md, deployment): a request borrows a connection
    and gives it back when it ends, instead of opening one of its own."""
    if not env_bool("DATABASE_POOL", False):
        for name in ("DATABASE_POOL_MIN_SIZE", "DATABASE_POOL_MAX_SIZE"):
            if env_str(name):
                raise ConfigError(name, "is set but DATABASE_POOL is not true")
        return None
    minimum = env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=1)
    maximum = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
    if maximum < minimum:
        raise ConfigError(
            "DATABASE_POOL_MAX_SIZE", f"must be at least DATABASE_POOL_MIN_SIZE ({minimum})"
        )
    # A request waits this long for a free connection before it fails.
    timeout = env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)
    return {"min_size": minimum, "max_size": maximum, "timeout": timeout}


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue instead of failing with
            # "database is locked" half-way through a transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": path.with_name(f"test_{path.name}")},
    }


def redis_url(url: str) -> str:
    """Validate REDIS_URL. An empty value means the private Redis of consult.infra.run."""
    if not url:
        return ""
    parts = _split("REDIS_URL", url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(
            "REDIS_URL",
            f"unsupported or missing scheme in {redact(url)!r}; use redis://host:6379/0",
        )
    if parts.scheme != "unix":
        try:
            parts.port  # noqa: B018 - raises ValueError for a non-numeric port
        except ValueError:
            raise ConfigError("REDIS_URL", "has a port that is not a number") from None
        if not parts.hostname:
            raise ConfigError("REDIS_URL", "names no host")
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise ConfigError("REDIS_URL", f"database must be a number, got {db!r}")
    elif not parts.path:
        raise ConfigError("REDIS_URL", "a unix:// URL needs a socket path")
    return url


def redis_sentinels(raw: str) -> list[tuple[str, int]]:
    """REDIS_SENTINELS: 'host:port,host:port', the Sentinels that know which
    Redis is the master now. Empty: REDIS_URL names the Redis itself."""
    sentinels = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, _, port = item.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(
                "REDIS_SENTINELS", f"expected host:port entries separated by commas, got {item!r}"
            )
        sentinels.append((host, int(port)))
    return sentinels


def redis_sentinel_master(raw: str) -> str:
    """REDIS_SENTINEL_MASTER: the name the Sentinels monitor the master under."""
    name = raw or "consult"
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", name):
        raise ConfigError("REDIS_SENTINEL_MASTER", f"expected a name such as consult, got {raw!r}")
    return name


def _split(setting: str, url: str):
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise ConfigError(setting, f"is not a valid URL ({exc})") from None


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


OIDC_TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
# Plain http is accepted only for a provider on this machine (a local test provider).
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# RFC 6749 section 3.3: a scope is printable ASCII without space, '"' or '\'.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
PROVIDER_ID = re.compile(r"[a-z][a-z0-9-]{0,29}")


def oidc_providers() -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for one government identity provider
    over OpenID Connect, from OIDC_* variables; empty when OIDC_SERVER_URL is unset
    (docs/sso.md)."""
    server_url = env_str("OIDC_SERVER_URL")
    if not server_url:
        for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
            if env_str(name):
                raise ConfigError(name, "is set but OIDC_SERVER_URL is not; set both or neither")
        return {}
    client_id, secret, method = _oidc_client()
    return {
        "openid_connect": {
            "SCOPE": _oidc_scopes(),
            "APPS": [
                {
                    "provider_id": _oidc_provider_id(),
                    "name": _oidc_name(),
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": _oidc_server_url(server_url),
                        "token_auth_method": method,
                        # The authorization code is bound to a one-time secret
                        # (PKCE S256), whatever the client authentication.
                        "oauth_pkce_enabled": True,
                        "fetch_userinfo": True,
                        # Only an address the provider marks email_verified is
                        # trusted (consult.accounts.sso); never a whole domain.
                        "verified_email": False,
                    },
                }
            ],
        }
    }


def _oidc_server_url(url: str) -> str:
    parts = _split("OIDC_SERVER_URL", url)
    example = "use the issuer address, such as https://id.example.gov/realms/citizens"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError("OIDC_SERVER_URL", f"must be an https URL, got {url!r}; {example}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(
            "OIDC_SERVER_URL", f"must use https (http only for localhost), got {url!r}"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a non-numeric port
    except ValueError:
        raise ConfigError("OIDC_SERVER_URL", "has a port that is not a number") from None
    if parts.username or parts.password:
        raise ConfigError("OIDC_SERVER_URL", "must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ConfigError("OIDC_SERVER_URL", f"must have no query or fragment; {example}")
    return url.rstrip("/")


def _oidc_client() -> tuple[str, str, str]:
    client_id = env_str("OIDC_CLIENT_ID")
    if not client_id:
        raise ConfigError("OIDC_CLIENT_ID", "is required when OIDC_SERVER_URL is set")
    if not all(" " <= char <= "~" for char in client_id):
        raise ConfigError("OIDC_CLIENT_ID", "must be printable ASCII (as the provider issued it)")
    method = env_str("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")
    if method not in OIDC_TOKEN_AUTH_METHODS:
        raise ConfigError(
            "OIDC_TOKEN_AUTH_METHOD",
            f"must be one of {', '.join(OIDC_TOKEN_AUTH_METHODS)}, got {method!r}",
        )
    secret = env_str("OIDC_CLIENT_SECRET")
    if method == "none" and secret:
        raise ConfigError("OIDC_CLIENT_SECRET", "must be empty when OIDC_TOKEN_AUTH_METHOD=none")
    if method != "none" and not secret:
        raise ConfigError(
            "OIDC_CLIENT_SECRET",
            f"is required with OIDC_TOKEN_AUTH_METHOD={method} (use none for a public client)",
        )
    if method == "client_secret_basic" and ":" in client_id:
        # HTTP Basic separates the identifier from the secret with a colon.
        raise ConfigError(
            "OIDC_CLIENT_ID",
            "contains ':', which client_secret_basic cannot carry; "
            "set OIDC_TOKEN_AUTH_METHOD=client_secret_post",
        )
    return client_id, secret, method


def _oidc_provider_id() -> str:
    provider_id = env_str("OIDC_PROVIDER_ID", "government")
    if not PROVIDER_ID.fullmatch(provider_id):
        raise ConfigError(
            "OIDC_PROVIDER_ID",
            "up to 30 lowercase letters, digits and hyphens, starting with a letter "
            f"(it is part of the redirect URI), got {provider_id!r}",
        )
    return provider_id


def _oidc_name() -> str:
    name = env_str("OIDC_NAME", "Government ID")
    if not name or len(name) > 60 or not name.isprintable():
        raise ConfigError("OIDC_NAME", f"a button label of 1 to 60 characters, got {name!r}")
    return name


def _oidc_scopes() -> list[str]:
    raw = env_str("OIDC_SCOPES", "openid profile email")
    # Commas or spaces: OAuth itself writes scopes separated by spaces.
    scopes = raw.replace(",", " ").split()
    bad = [scope for scope in scopes if not SCOPE_TOKEN.fullmatch(scope)]
    if bad:
        raise ConfigError("OIDC_SCOPES", f"not a valid scope: {bad[0]!r}")
    if "openid" not in scopes:
        raise ConfigError(
            "OIDC_SCOPES", f"must include openid (OpenID Connect needs it), got {raw!r}"
        )
    return list(dict.fromkeys(scopes))


def site_url(url: str) -> str:
    """SITE_URL: the address people reach the site at, for links in emails."""
    parts = _split("SITE_URL", url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            "SITE_URL", f"must be an http(s) URL like https://consult.example.gov, got {url!r}"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ConfigError("SITE_URL", "must be the site's root address, without a path")
    return f"{parts.scheme}://{parts.netloc}"


# The privacy page names who is responsible for personal data, how to reach
# them, the legal basis and where to complain. A real site must say; a demo
# (DEBUG) shows placeholders, marked as such on the page.
PRIVACY_SETTINGS = {
    # variable: (key in settings.CONSULT_PRIVACY, what the page must name)
    "PRIVACY_CONTROLLER": ("controller", "who is responsible for personal data (the controller)"),
    "PRIVACY_CONTACT": ("contact", "how to reach them about personal data"),
    "PRIVACY_LEGAL_BASIS": ("legal_basis", "the legal basis for keeping personal data"),
    "PRIVACY_COMPLAINTS": ("complaints", "where people can complain about it"),
}
PRIVACY_PLACEHOLDERS = {
    "PRIVACY_CONTROLLER": (
        "Example Department of Public Consultation, 1 Example Square, Example City"
    ),
    "PRIVACY_CONTACT": "privacy@example.org",
    "PRIVACY_LEGAL_BASIS": (
        "Performing a task in the public interest: consulting the public on draft policies."
    ),
    "PRIVACY_COMPLAINTS": "The data protection authority: https://authority.example.org",
}


def privacy_notice(*, debug: bool) -> dict:
    """The privacy page's controller, contact, legal basis and way to
    complain, from PRIVACY_* variables; each is required unless DEBUG is on."""
    notice: dict = {"placeholders": []}
    for name, (key, what) in PRIVACY_SETTINGS.items():
        value = env_str(name)
        if not value and not debug:
            raise ConfigError(
                name, f"is required when DEBUG is off: the privacy page must name {what}"
            )
        if not value:
            value = PRIVACY_PLACEHOLDERS[name]
            notice["placeholders"].append(name)
        notice[key] = value
    return notice
