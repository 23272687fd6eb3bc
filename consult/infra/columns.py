"""Rows read from the database, turned into columns for the numeric work.

Value lists come out of the database a row at a time; the summary and the
Polis export work on columns (plain lists and numpy arrays).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def columns(rows: Iterable[tuple], width: int) -> list[list]:
    columns: list[list] = [[] for _ in range(width)]
    appends = [column.append for column in columns]
    for row in rows:
        for append, value in zip(appends, row, strict=True):
            append(value)
    return columns


def seconds(values: list) -> np.ndarray:
    return np.fromiter((value.timestamp() for value in values), dtype=np.float64, count=len(values))
