"""A step computed in a process of its own, beside the others.

The opinion groups of a large consultation cost as much as the campaigns,
counts and themes together, and need nothing from them: with a second
processor they can run at the same time (docs/largest-consultations.md has
the figures); so can the reshuffles of their test against chance
(consult.analysis.group_chance). The process is started from a clean server process
(multiprocessing's "forkserver"), never forked from a worker that holds
database connections and threads; it gets plain arrays, sends back its
progress and its result through a pipe, and does nothing else.

Nothing is lost when the process cannot do its work: if it cannot start,
dies or fails, the step is computed here, in this process, as it would have
been without it (and its error, if it has one, is raised from here).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

# What the server process imports once, so that each step's process starts
# with the numeric libraries loaded.
PRELOAD = ["consult.analysis.groups"]


def processors() -> int:
    """Processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Beside:
    """``function(*args, progress=..., **kwargs)`` running in a process of its own
    (with ``process=False``, computed here when its result is asked for).

    ``result(progress)`` waits for it, telling ``progress`` the share done as
    the process reports it, and returns what the function returned. Call
    ``close()`` (or use ``with``) when the result is no longer wanted: the
    process is stopped.
    """

    def __init__(
        self, function: Callable[..., Any], *args: Any, process: bool = True, **kwargs: Any
    ) -> None:
        self._call = (function, args, kwargs)
        self._process = None
        self._receive: Connection | None = None
        if not process:
            return
        send = None
        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._receive, send = context.Pipe(duplex=False)
            # Not a daemon, so that it may start steps of its own; close()
            # stops it whenever its result is not taken.
            process = context.Process(
                target=_run, args=(send, function, args, kwargs), daemon=False, name="summary-step"
            )
            process.start()
            self._process = process
        except (OSError, ValueError, RuntimeError):
            # No process to be had (too many, no /dev/shm, a daemon's child, a
            # server process that could not start): the step is computed here
            # when its result is asked for.
            logger.warning(
                "summary step could not start a process; computing it in place", exc_info=True
            )
            self.close()
        finally:
            if send is not None:
                send.close()

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self, progress: Callable[[float], None] = lambda fraction: None) -> Any:
        try:
            while self._receive is not None:
                kind, value = self._receive.recv()
                if kind == "progress":
                    progress(value)
                elif kind == "result":
                    return value
                else:
                    logger.warning(
                        "summary step failed in its process; computing it in place:\n%s", value
                    )
                    break
        except (EOFError, OSError):
            logger.warning("summary step's process ended without a result; computing it in place")
        finally:
            self.close()
        function, args, kwargs = self._call
        return function(*args, progress=progress, **kwargs)

    def close(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process.close()
            self._process = None
        if self._receive is not None:
            self._receive.close()
            self._receive = None


def _run(send: Connection, function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    # One thread for the numeric libraries, as in the summary's own process
    # (consult.reports.summary.computing): the processors are the steps'.
    try:
        with threadpool_limits(limits=1):
            result = function(
                *args, progress=lambda fraction: send.send(("progress", fraction)), **kwargs
            )
    except BaseException:  # told to the parent, which computes the step itself
        import traceback

        send.send(("error", traceback.format_exc()))
    else:
        send.send(("result", result))
    finally:
        send.close()
