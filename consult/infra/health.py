"""Checks that the services the platform depends on answer.

Used by /healthz and by the start-up checks of `manage.py serve`, so that a
wrong DATABASE_URL or REDIS_URL gives one line naming the setting.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connections

from consult.infra import redis_client
from consult.infra.config import redact


def database_problem(alias: str = "default") -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _first_line(exc) or type(exc).__name__
    return None


def redis_problem(url: str | None = None) -> str | None:
    url = settings.REDIS_URL if url is None else url
    if not url:
        return "not configured (REDIS_URL is empty)"
    client = redis_client.new_client(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"no answer from {redact(url)} ({_first_line(exc) or type(exc).__name__})"
    finally:
        client.close()
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""
