"""deploy/ as it runs: Debian's nginx with deploy/nginx.conf in front of two
Daphne processes on one PostgreSQL (with the connection pool) and one Redis.

Skipped without nginx or PostgreSQL on a developer's machine; in CI
(.ci/run installs both) a missing one fails the test."""

from __future__ import annotations

import asyncio
import json
import time

import psycopg
import pytest
import redis
from django.test import override_settings

from consult.infra.ratelimit import address
from consult.infra.redis_server import PrivateRedis
from tests.deploy.site import PROXY_ADDRESS, SECRET_KEY, Visitor, site
from tests.deploy.sockets import Reader, read_until

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("deploy")
    private = PrivateRedis(workdir=workdir / "redis").start()
    try:
        overrides = {"REDIS_URL": private.url, "API_RATE_ANONYMOUS": "3/60",
                     "API_RATE_IP": "1000/60"}  # fmt: skip
        with site(workdir, overrides) as running:
            yield running
    finally:
        private.stop()


def stored(site, sql: str, *params):
    with psycopg.connect(site.database_url) as connection:
        return connection.execute(sql, params).fetchall()


def api_status(site, port: int, *, source: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    status, _, _ = Visitor(source=source).request(port, "GET", "/api/v1/", headers=headers)
    return status


def test_a_comment_posted_through_one_process_reaches_a_reader_of_the_other(deployed):
    first, second = deployed.daphnes
    world, person = deployed.world, deployed.world["people"][0]
    reader = Reader(second.port, world["proposal"])

    async def scene():
        await reader.open()
        visitor = Visitor()
        visitor.sign_in(first.port, person["email"])
        status = await asyncio.to_thread(
            visitor.post_comment, first.port, world, "Through the first process."
        )
        assert status == 302
        await read_until(reader, lambda r: r.comment_bodies, timeout=15)
        await reader.close()

    asyncio.run(scene())
    assert any("Through the first process." in body for body in reader.comment_bodies)
    rows = stored(deployed, "SELECT author_id FROM discussion_comment WHERE body = %s",
                  "Through the first process.")  # fmt: skip
    assert rows == [(person["id"],)]


def test_a_session_begun_on_one_process_is_known_to_the_other(deployed):
    first, second = deployed.daphnes
    visitor = Visitor()
    visitor.sign_in(first.port, deployed.world["people"][1]["email"])
    status, _, page = visitor.request(second.port, "GET", "/accounts/email/")
    assert status == 200
    assert deployed.world["people"][1]["email"] in page
    # Signing out on the second ends the session for the first too.
    visitor.request(second.port, "POST", "/accounts/logout/", {})
    status, headers, _ = visitor.request(first.port, "GET", "/accounts/email/")
    assert status == 302 and "/accounts/login" in headers["Location"]


def test_a_rate_limit_reached_on_one_process_holds_on_the_other(deployed):
    first, second = deployed.daphnes
    # As nginx would send it: from the proxy's address, the visitor's on the right.
    visitor = "198.51.100.20"
    codes = [api_status(deployed, first.port, source=PROXY_ADDRESS, forwarded_for=visitor)
             for _ in range(3)]  # fmt: skip
    assert codes == [200, 200, 200]
    assert api_status(deployed, second.port, source=PROXY_ADDRESS, forwarded_for=visitor) == 429
    # Another visitor behind the same proxy has a count of its own.
    other = "198.51.100.21"
    assert api_status(deployed, second.port, source=PROXY_ADDRESS, forwarded_for=other) == 200


def test_the_address_counted_is_the_one_nginx_saw(deployed):
    """Through nginx, with requests spread over both processes: the visitor on
    127.0.0.3 forges a new address each time and is counted as 127.0.0.3."""
    codes = [
        api_status(deployed, deployed.nginx, source="127.0.0.3", forwarded_for=f"203.0.113.{n}")
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    keys = {
        key.decode() for key in redis.Redis.from_url(deployed.redis_url).keys("consult:rate:api:*")
    }
    with override_settings(SECRET_KEY=SECRET_KEY):
        seen, forged, proxy = address("127.0.0.3"), address("203.0.113.1"), address(PROXY_ADDRESS)
    assert any(f":{seen}:" in key for key in keys)
    assert not any(f":{forged}:" in key or f":{proxy}:" in key for key in keys)


def test_killing_one_process_loses_no_event_for_readers_who_reconnect(deployed):
    """Readers spread over both processes by nginx; one process is killed
    while comments keep coming through nginx. Every reader, reconnecting
    through nginx with since=, ends with every event of the log."""
    world = deployed.world
    readers = [Reader(deployed.nginx, world["proposal"], reconnect=True) for _ in range(6)]
    poster = Visitor()
    poster.sign_in(deployed.nginx, world["people"][2]["email"])

    def post(n: int) -> None:
        # nginx passes a post to the other process when one refuses it; a post
        # cut off inside a dying process is sent again, as a person would.
        for _attempt in range(5):
            status = poster.post_comment(deployed.nginx, world, f"Kill test {n}.")
            if status == 302:
                return
            time.sleep(0.5)
        raise AssertionError(f"post {n} never went through (last answer {status})")

    async def scene():
        await asyncio.gather(*(reader.open() for reader in readers))
        for n in range(3):
            await asyncio.to_thread(post, n)
        deployed.daphnes[0].kill()
        for n in range(3, 6):
            await asyncio.to_thread(post, n)
        last = stored(deployed, "SELECT max(seq) FROM discussion_event WHERE proposal_id = %s",
                      world["proposal"])[0][0]  # fmt: skip
        for reader in readers:
            await read_until(reader, lambda r, last=last: r.highest >= last, timeout=30)
        await asyncio.gather(*(reader.close() for reader in readers))
        return last

    last = asyncio.run(scene())
    # nginx spread the readers: those on the killed process reconnected, the others did not.
    assert 0 < sum(1 for reader in readers if reader.reconnects) < len(readers)
    log = [seq for (seq,) in stored(
        deployed, "SELECT seq FROM discussion_event WHERE proposal_id = %s ORDER BY seq",
        world["proposal"])]  # fmt: skip
    for reader in readers:
        expected = {seq for seq in log if seq > reader.first_hello}
        assert expected <= reader.seqs, json.dumps(sorted(expected - reader.seqs))
    assert log[-1] == last
