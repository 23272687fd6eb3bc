"""Reading the environment into settings, with one-line errors.

Nothing here imports Django settings: the settings module calls these
functions, and so do the launcher and the start-up checks.
"""

from __future__ import annotations

import os
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
    return config


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
    """Validate REDIS_URL. An empty value means the private Redis of consult.run."""
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


def oidc_providers() -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for one government identity provider
    over OpenID Connect, from OIDC_* variables; empty when OIDC_SERVER_URL is unset."""
    server_url = env_str("OIDC_SERVER_URL")
    if not server_url:
        return {}
    parts = _split("OIDC_SERVER_URL", server_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError("OIDC_SERVER_URL", f"must be an http(s) URL, got {server_url!r}")
    client_id = env_str("OIDC_CLIENT_ID")
    if not client_id:
        raise ConfigError("OIDC_CLIENT_ID", "is required when OIDC_SERVER_URL is set")
    provider_id = env_str("OIDC_PROVIDER_ID", "government")
    if not provider_id.replace("-", "").isalnum() or not provider_id.isascii():
        raise ConfigError(
            "OIDC_PROVIDER_ID", f"letters, digits and hyphens only, got {provider_id!r}"
        )
    scopes = env_list("OIDC_SCOPES", ["openid", "profile", "email"])
    if "openid" not in scopes:
        raise ConfigError("OIDC_SCOPES", "must include openid")
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "SCOPE": scopes,
            "APPS": [
                {
                    "provider_id": provider_id,
                    "name": env_str("OIDC_NAME", "Government sign-in"),
                    "client_id": client_id,
                    "secret": env_str("OIDC_CLIENT_SECRET"),
                    "settings": {
                        "server_url": server_url.rstrip("/"),
                        "token_auth_method": env_str(
                            "OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"
                        ),
                    },
                }
            ],
        }
    }


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
