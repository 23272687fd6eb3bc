"""Pings are written to Redis together, every few seconds, and a socket that
closes is never brought back by a ping noted before it closed."""

from __future__ import annotations

import time

from consult.infra import redis_client
from discussion.comments.limits import SocketCap
from discussion.live import heartbeats, presence


async def test_pings_are_noted_and_written_together_in_one_pipeline(monkeypatch):
    client = redis_client.client()
    executed = []
    real_pipeline = client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipe = real_pipeline(*args, **kwargs)
        execute = pipe.execute

        def counted_execute(*a, **k):
            executed.append(len(pipe.command_stack))
            return execute(*a, **k)

        pipe.execute = counted_execute
        return pipe

    monkeypatch.setattr(client, "pipeline", counting_pipeline)
    beats = heartbeats.beats()
    for n in range(50):
        beats.socket_heard(SocketCap.person(n), f"channel-{n}")
        beats.viewer_heard(7001, f"viewer-{n % 10}", f"channel-{n}")
    # Nothing written yet: the timer writes them.
    assert beats.timer is not None
    assert client.zcard(SocketCap.key(SocketCap.person(3))) == 0
    before = time.time()
    await beats.flush()
    assert len(executed) == 1  # one round trip for a hundred entries
    assert client.zscore(SocketCap.key(SocketCap.person(3)), "channel-3") >= before
    assert presence.count(7001) == 10  # ten viewers, five sockets each
    assert beats.timer is None and beats.sockets == {} and beats.viewers == {}


async def test_a_closed_socket_is_forgotten_and_not_written():
    client = redis_client.client()
    beats = heartbeats.beats()
    beats.socket_heard("u1", "gone")
    beats.socket_heard("u1", "staying")
    beats.forget("gone")
    await beats.flush()
    assert client.zrange(SocketCap.key("u1"), 0, -1) == [b"staying"]


async def test_a_leave_goes_after_a_write_of_pings_begun_before_it(monkeypatch):
    """The close comes while the pings that include the socket are being
    written: its leave still lands last, so the socket is not counted."""
    client = redis_client.client()
    real = SocketCap.heard_all

    def slow(pipe, sockets, now):
        time.sleep(0.3)  # a slow Redis, mid-write
        real(pipe, sockets, now)

    monkeypatch.setattr(SocketCap, "heard_all", slow)
    beats = heartbeats.beats()
    beats.socket_heard("u2", "closing")
    writing = beats.flush()
    beats.forget("closing")
    await beats.after_pings(SocketCap.release, "u2", "closing")
    await writing
    assert client.zcard(SocketCap.key("u2")) == 0
