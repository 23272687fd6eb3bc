"""/healthz: 200 when the database and Redis answer, 503 naming what failed."""

import pytest
from django.db import DatabaseError

from consult.infra import health
from consult.infra.redis_server import PrivateRedis

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_stopped_redis_gives_503_naming_redis(client, settings, caplog):
    redis_server = PrivateRedis().start()
    settings.REDIS_URL = redis_server.url
    assert client.get("/healthz").status_code == 200
    redis_server.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"] == {"database": "ok", "redis": "fail"}
    # The public page names the service; where it lives stays in the log.
    assert "127.0.0.1" not in response.content.decode()
    assert "no answer from redis://" in caplog.text


def test_failing_database_gives_503_naming_the_database(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    class BrokenConnection:
        def cursor(self):
            return BrokenCursor()

    monkeypatch.setattr(health, "connections", {"default": BrokenConnection()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"] == {"database": "fail", "redis": "ok"}
    assert "connection refused" not in response.content.decode()


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
