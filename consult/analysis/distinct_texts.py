"""The distinct texts of a list, read once (consult.analysis.campaigns).

Each text is normalised (consult.analysis.text.normalise) and matched to
the distinct ones so far by a 16-byte digest of its normal form; each new
distinct text is signed a block at a time and its normal form let go. What
stays is fixed in size per comment and per distinct text, whatever the
length of the texts: measured with bench/summary.py at a million comments
(docs/largest-consultations.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from consult.analysis.text import normalise


@dataclass
class DistinctTexts:
    """What the detector keeps of the texts it has read: for each comment its
    distinct text, and for each distinct text where its first comment is and
    (when long enough) its MinHash signature; while reading, a 16-byte digest
    of each distinct normal form. The normalised texts themselves are made a
    block at a time and let go."""

    texts: Sequence[str]
    text_of: np.ndarray  # per comment (in id order), its distinct text
    first: list[int]  # per distinct text, its first comment's place in `texts`
    usable: np.ndarray  # the distinct texts long enough to compare
    signatures: np.ndarray  # (usable, num_perm) uint32

    @property
    def distinct(self) -> int:
        return len(self.first)

    def normal(self, number: int) -> str:
        return normalise(self.texts[self.first[number]])


def distinct_texts(
    texts: Sequence[str],
    order: list[int],
    *,
    sign: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    width: int,
    block: int,
    progress: Callable[[float], None] = lambda fraction: None,
) -> DistinctTexts:
    """Read the texts in `order` once: each is normalised, matched to the
    distinct texts so far by the digest of its normal form, and each new
    distinct text signed `block` at a time by `sign` (which gives the
    numbers, within the block, of the texts long enough to compare and their
    signatures, `width` values each)."""
    digests: dict[bytes, int] = {}
    first: list[int] = []
    text_of = np.empty(len(order), dtype=np.int64)
    pending: list[str] = []
    usable: list[np.ndarray] = []
    signatures: list[np.ndarray] = []

    def flush() -> None:
        low = len(first) - len(pending)
        found, signed = sign(pending)
        usable.append(found + low)
        signatures.append(signed)
        pending.clear()

    for place, i in enumerate(order):
        normal = normalise(texts[i])
        digest = hashlib.blake2b(normal.encode(), digest_size=16).digest()
        number = digests.setdefault(digest, len(first))
        if number == len(first):
            first.append(i)
            pending.append(normal)
            if len(pending) == block:
                flush()
                progress((place + 1) / len(order))
        text_of[place] = number
    if pending:
        flush()
    return DistinctTexts(
        texts=texts,
        text_of=text_of,
        first=first,
        usable=np.concatenate(usable) if usable else np.zeros(0, dtype=np.int64),
        signatures=(np.concatenate(signatures) if signatures else np.zeros((0, width), np.uint32)),
    )
