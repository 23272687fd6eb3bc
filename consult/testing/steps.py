"""Steps for the tests of consult.analysis.beside: each behaves one way
in the process that asked for it (``home``, its pid) and another in the
step's own process, so a test can tell where its result came from."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def dies_away(home: int, *, progress: Callable[[float], None]) -> str:
    if os.getpid() != home:
        os._exit(3)
    return "computed in place"


def fails_away(home: int, *, progress: Callable[[float], None]) -> str:
    if os.getpid() != home:
        raise ValueError("failed in its own process")
    return "computed in place"


def waits_away(home: int, *, progress: Callable[[float], None]) -> str:
    progress(0.5)
    if os.getpid() != home:
        time.sleep(600)
    return "computed in place"


def reports(home: int, *, progress: Callable[[float], None]) -> tuple[int, bool]:
    for share in (0.25, 0.5, 0.75):
        progress(share)
    return os.getpid(), os.getpid() == home
