"""Messages sent to the live path from synchronous code (a post's event, a
moderator's queue change) leave through a loop of their own, not through the
server's event loop, which may be busy writing frames to every socket."""

from __future__ import annotations

import asyncio
import threading
import time

import channels.layers
import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from consult.infra import live


async def test_a_send_leaves_while_the_servers_loop_is_busy():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("sender.test", channel)
    loop = asyncio.get_running_loop()
    moments = {}

    def busy() -> None:
        # The loop writing frames to thousands of sockets, held here for 1 s.
        time.sleep(1.0)
        moments["loop free"] = time.monotonic()

    def post() -> None:
        # As a post's on-commit hook does, in the server's database thread.
        live.group_send("sender.test", {"type": "test.message", "n": 1})
        moments["sent"] = time.monotonic()

    loop.call_soon(busy)
    await sync_to_async(post)()
    # The send did not wait for the busy loop: it was done before the loop was free.
    assert moments["sent"] < moments["loop free"]
    received = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert received == {"type": "test.message", "n": 1}


def test_a_layer_that_cannot_send_raises_to_the_caller(monkeypatch):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(channels.layers, "get_channel_layer", lambda: Broken())
    with pytest.raises(ConnectionError):
        live.group_send("sender.test", {"type": "test.message"})


def test_a_send_that_hangs_is_given_up_after_the_timeout(monkeypatch):
    release = threading.Event()

    class Hanging:
        async def group_send(self, group, message):
            while not release.is_set():
                await asyncio.sleep(0.01)

    monkeypatch.setattr(channels.layers, "get_channel_layer", lambda: Hanging())
    monkeypatch.setattr(live, "SEND_TIMEOUT", 0.2)
    try:
        with pytest.raises(TimeoutError):
            live.group_send("sender.test", {"type": "test.message"})
    finally:
        release.set()


def test_the_user_and_session_sends_never_raise(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(channels.layers, "get_channel_layer", lambda: Broken())
    live.user_event(user_id=1, type="user.notify")
    live.session_sockets_close(session_key="k" * 32)
    assert "to the sockets of user 1 failed" in caplog.text
    assert "closing the sockets of a session failed" in caplog.text
