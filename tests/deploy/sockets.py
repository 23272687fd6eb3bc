"""A reader of a consultation's live channel, as the browser is: on a closed
socket it reconnects with since= the last event it holds, and keeps every
event number it received (live or replayed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus


class Reader:
    def __init__(self, port: int, proposal: int, *, reconnect: bool = False) -> None:
        self.url = f"ws://127.0.0.1:{port}/ws/proposals/{proposal}/"
        self.origin = f"http://127.0.0.1:{port}"
        self.reconnect = reconnect
        self.seqs: set[int] = set()
        self.comment_bodies: list[str] = []
        self.first_hello: int | None = None
        self.reconnects = 0
        self._task: asyncio.Task | None = None
        self._opened = asyncio.Event()

    @property
    def highest(self) -> int:
        return max(self.seqs | {self.first_hello or 0})

    async def open(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._opened.wait(), timeout=20)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            url = self.url
            if self.first_hello is not None:
                url += f"?since={self.highest}"
            try:
                async with connect(url, origin=self.origin, open_timeout=10) as ws:
                    async for text in ws:
                        self._take(json.loads(text))
            except (ConnectionClosed, InvalidHandshake, InvalidStatus, OSError, TimeoutError):
                pass
            if not self.reconnect:
                return
            self.reconnects += 1
            await asyncio.sleep(0.3)

    def _take(self, frame: dict) -> None:
        if frame.get("type") == "hello":
            if self.first_hello is None:
                self.first_hello = frame["seq"]
            self._opened.set()
        elif "seq" in frame:
            self.seqs.add(frame["seq"])
            if frame.get("type") == "comment.created":
                self.comment_bodies.append(json.dumps(frame))


async def read_until(reader: Reader, done, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done(reader):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"reader stopped at {reader.highest} after {reader.reconnects} reconnects"
            )
        await asyncio.sleep(0.1)
