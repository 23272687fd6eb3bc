"""The deployment settings read from the environment: the connection pool and
Redis through Sentinel, with one-line errors naming the setting."""

from pathlib import Path

import pytest

from consult.infra import config
from consult.infra.redis_client import channel_layer_host, sentinel_cache_options

POSTGRES = "postgres://consult:secret@db.internal:5432/consult"


def test_sentinels_are_host_port_pairs():
    assert config.redis_sentinels(" 10.0.3.1:26379, sentinel-b:26380 ,[::1]:26381") == [
        ("10.0.3.1", 26379),
        ("sentinel-b", 26380),
        ("::1", 26381),
    ]
    assert config.redis_sentinels("") == []


@pytest.mark.parametrize("raw", ["10.0.3.1", ":26379", "host:port", "host:70000"])
def test_a_malformed_sentinel_is_refused_by_name(raw):
    with pytest.raises(config.ConfigError, match=r"^REDIS_SENTINELS: .*host:port"):
        config.redis_sentinels(raw)


def test_the_master_name_defaults_and_is_checked():
    assert config.redis_sentinel_master("") == "consult"
    with pytest.raises(config.ConfigError, match=r"^REDIS_SENTINEL_MASTER"):
        config.redis_sentinel_master("two words")


def test_the_pool_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("DATABASE_POOL", raising=False)
    assert "pool" not in config.database(POSTGRES, default_path=Path("x"))["OPTIONS"]


def test_the_pool_is_on_with_its_sizes(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL", "true")
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "16")
    options = config.database(POSTGRES, default_path=Path("x"))["OPTIONS"]
    assert options["pool"] == {"min_size": 2, "max_size": 16, "timeout": 10}
    # Django refuses a pool beside persistent connections.
    assert config.database(POSTGRES, default_path=Path("x"))["CONN_MAX_AGE"] == 0


def test_pool_sizes_that_cannot_work_are_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL", "true")
    monkeypatch.setenv("DATABASE_POOL_MIN_SIZE", "8")
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "4")
    with pytest.raises(config.ConfigError, match=r"^DATABASE_POOL_MAX_SIZE"):
        config.database_pool()
    monkeypatch.setenv("DATABASE_POOL", "false")
    with pytest.raises(config.ConfigError, match="DATABASE_POOL is not true"):
        config.database_pool()


def test_the_channel_layer_and_cache_go_through_the_sentinels():
    url = "redis://:secret@consult/3"
    sentinels = [("10.0.3.1", 26379)]
    host = channel_layer_host(url, sentinels, "consult", "")
    assert host == {
        "master_name": "consult",
        "sentinels": sentinels,
        "sentinel_kwargs": None,
        "password": "secret",
        "db": 3,
    }
    assert channel_layer_host(url, [], "consult", "") == url
    options = sentinel_cache_options(sentinels, "consult", "")
    assert options["pool_class"] == "consult.infra.redis_client.SentinelPool"
    assert sentinel_cache_options([], "consult", "") == {}
