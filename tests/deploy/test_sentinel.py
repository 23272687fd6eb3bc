"""Redis through Sentinel (REDIS_SENTINELS): a master, its replica and a
Sentinel started here, two Daphne processes behind nginx on PostgreSQL.
The site works through the Sentinel, and keeps working after SENTINEL FAILOVER
makes the replica the master.

Skipped without nginx or PostgreSQL on a developer's machine, like
test_several_processes.py; in CI a missing one fails the test."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis
from django.core.cache import CacheHandler
from django.test import override_settings

from consult.infra import redis_client
from consult.infra.ratelimit import address
from tests.deploy.sentinel import MASTER_NAME, master_replica_sentinel
from tests.deploy.site import SECRET_KEY, Visitor, site
from tests.deploy.sockets import Reader, read_until

pytestmark = pytest.mark.timeout(600)


def sentinel_settings(watched) -> dict:
    return {
        # Only the password and database count: the host is the Sentinel's to say.
        "REDIS_URL": f"redis://:{watched.password}@{MASTER_NAME}/0",
        "REDIS_SENTINELS": f"127.0.0.1:{watched.sentinel_port}",
        "REDIS_SENTINEL_MASTER": MASTER_NAME,
    }


def eventually(check, timeout: float = 20):
    """What the site answers once it has found the new master (a request in
    flight at the instant of the failover may fail; the next ones must not)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = check()
        except redis.exceptions.RedisError:
            # A call on a connection the failover cut: the client must find
            # the new master on a later one.
            answer = False
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def api_codes(port: int, visitor: str, n: int) -> list[int]:
    """n requests through nginx from the visitor's address (any of 127/8)."""
    return [Visitor(source=visitor).request(port, "GET", "/api/v1/")[0] for _ in range(n)]


def rate_keys(node, visitor: str) -> list[str]:
    with override_settings(SECRET_KEY=SECRET_KEY):
        who = address(visitor)
    return [key for key in node.keys("consult:rate:api:*") if f":{who}:" in key]


def healthy(port: int) -> bool:
    return Visitor().request(port, "GET", "/healthz")[0] == 200


async def post_and_hear(deployed, reader: Reader, visitor: Visitor, body: str) -> None:
    """Posted through the first process, heard by a reader of the second."""
    port = deployed.daphnes[0].port
    posted = await asyncio.to_thread(
        eventually, lambda: visitor.post_comment(port, deployed.world, body) == 302
    )
    assert posted, f"{body!r} was not posted"
    await read_until(reader, lambda r: any(body in b for b in r.comment_bodies), timeout=20)


def test_the_site_works_through_sentinel_and_after_a_failover(tmp_path):
    with master_replica_sentinel(tmp_path / "redis") as watched:
        overrides = {**sentinel_settings(watched), "API_RATE_ANONYMOUS": "3/60"}
        with site(tmp_path, overrides) as deployed:
            first, second = deployed.daphnes
            master = watched.node(watched.master_port())
            assert healthy(deployed.nginx)
            assert api_codes(deployed.nginx, "127.0.0.30", 4) == [200, 200, 200, 429]
            assert rate_keys(master, "127.0.0.30")

            visitor = Visitor()
            visitor.sign_in(first.port, deployed.world["people"][0]["email"])
            reader = Reader(second.port, deployed.world["proposal"], reconnect=True)

            async def scene():
                await reader.open()
                await post_and_hear(deployed, reader, visitor, "Before the failover.")
                new_port = await asyncio.to_thread(watched.fail_over)
                await post_and_hear(deployed, reader, visitor, "After the failover.")
                await reader.close()
                return new_port

            new_port = asyncio.run(scene())
            assert new_port == watched.ports[1]
            new_master = watched.node(new_port)
            assert eventually(lambda: healthy(deployed.nginx))
            # The counts went over with the data: the limited visitor stays limited,
            # and a new one is counted on the new master.
            assert api_codes(deployed.nginx, "127.0.0.30", 1) == [429]
            assert api_codes(deployed.nginx, "127.0.0.31", 4) == [200, 200, 200, 429]
            assert rate_keys(new_master, "127.0.0.31")


def test_the_cache_and_the_platform_client_follow_the_master(tmp_path):
    with master_replica_sentinel(tmp_path) as watched:
        sentinels = [("127.0.0.1", watched.sentinel_port)]
        url = f"redis://:{watched.password}@{MASTER_NAME}/0"
        _layers, caches = redis_client.channel_layers_and_cache(url, sentinels, MASTER_NAME, "")
        with override_settings(
            REDIS_URL=url, REDIS_SENTINELS=sentinels, REDIS_SENTINEL_MASTER=MASTER_NAME
        ):
            cache = CacheHandler(caches)["default"]
            client = redis_client.new_client(url, socket_timeout=2)
            cache.set("before", 1)
            client.set("consult:test:before", 1)
            assert watched.node(watched.master_port()).exists("cache:1:before")
            new_port = watched.fail_over()
            assert eventually(lambda: cache.set("after", 2) or cache.get("after") == 2)
            assert eventually(lambda: client.set("consult:test:after", 2))
            new_master = watched.node(new_port)
            assert new_master.get("consult:test:after") == "2"
            assert new_master.exists("cache:1:after")
            assert client.get("consult:test:before") == b"1"
            client.close()
