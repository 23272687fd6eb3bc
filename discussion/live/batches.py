"""Work that many sockets ask for at once, done in one call.

When a thousand readers reconnect together (a deploy, a network blip), each
socket's own trip to the database or to Redis queues it behind all the
others. Here the sockets that ask while a call is running wait together for
the next one, which takes all of them at once (at most BATCH): a function of
a list of asks that returns the list of answers, in the same order.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable

# Asks answered by one call at most: a call stays short, and the loop hands
# out the answers between calls.
BATCH = 500

# Per event loop: the futures belong to the loop that made them.
_batches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

Runner = Callable[[Callable[[list], list]], Callable[[list], Awaitable[list]]]


async def in_batch(function: Callable[[list], list], ask, runner: Runner):
    """``function([ask, ...])[i]`` for this ask, run by ``runner`` (which
    makes the synchronous function awaitable: a database or a worker thread)
    together with every other ask that arrives meanwhile."""
    loop = asyncio.get_running_loop()
    batches = _batches.get(loop)
    if batches is None:
        batches = _batches[loop] = {}
    batch = batches.get(function)
    if batch is None:
        batch = batches[function] = Batch(runner(function))
    return await batch.ask(ask)


class Batch:
    def __init__(self, call: Callable[[list], Awaitable[list]]) -> None:
        self.call = call
        self.waiting: list[tuple[object, asyncio.Future]] = []
        self.running: asyncio.Task | None = None

    async def ask(self, ask):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((ask, future))
        if self.running is None or self.running.done():
            self.running = asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
            try:
                answers = await self.call([ask for ask, _future in batch])
            except Exception as error:  # the database or Redis is away: each asker says so
                for _ask, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_ask, future), answer in zip(batch, answers, strict=True):
                if not future.done():  # a socket that went away meanwhile
                    future.set_result(answer)
