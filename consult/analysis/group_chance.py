"""The choice of k and the test that the groups are beyond chance
(consult.analysis.groups says what the method does and why).

The same votes are reshuffled ``shuffles`` times (each comment's votes dealt
out again among the people who voted on it) and put through the same
projection and splits (consult.analysis.group_clusters). The groups shown are
those of the k whose silhouette stands furthest above its mean over the
reshuffles (the gap, as in Tibshirani, Walther and Hastie's gap statistic);
the test compares that largest gap with each reshuffle's own largest gap.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from consult.analysis.beside import Beside, processors
from consult.analysis.group_clusters import (
    BATCH_POINTS,
    K_RANGE,
    MAX_DISTINCT,
    Splits,
    splits_of_many,
)
from consult.analysis.group_steps import Projection, Votes, rounded

# From this many votes dealt (votes x reshuffles) on, the reshuffles are shared
# out among the processors, a part in a process of its own
# (consult.analysis.beside); below it the test takes seconds in one process.
SHARED_OUT_DEALT = 2_000_000
MAX_PARTS = 4


@dataclass(frozen=True)
class Choice:
    k: int
    labels: np.ndarray
    silhouette: float
    significance: dict


def choose(
    votes: Votes,
    observed: Splits,
    min_size: int,
    seed: int,
    *,
    shuffles: int,
    level: float,
    progress: Callable[[float], None] = lambda fraction: None,
    processes: int | None = None,
) -> Choice:
    """The k whose silhouette stands furthest above chance, and how sure that is.

    Each reshuffle deals every comment's votes out again among the people
    who voted on it: each comment keeps its tally, each participant the
    number of votes they cast (and which comments they voted on), and only
    who agrees with whom is left to chance. The Monte Carlo p-value is
    (1 + as_clear) / (1 + shuffles), as_clear counting the reshuffles whose
    largest gap is at least the observed one; groups are shown when it is at
    most ``level``.
    """
    # shuffles x k, NaN: none
    chance = reshuffled(votes, min_size, seed, shuffles, progress, processes=processes)
    found = np.isfinite(chance)
    # A k no reshuffle could split counts as -1 by chance (the lowest
    # silhouette). The statistic is the same for the votes and for every
    # reshuffle (the largest gap over the k each could split), so if only the
    # votes can split that way, that alone is what chance gives once in
    # 1 + shuffles.
    means = np.where(found, chance, 0.0).sum(axis=0) / np.maximum(found.sum(axis=0), 1)
    means[found.sum(axis=0) == 0] = -1.0
    gaps = {k: s - means[k - K_RANGE.start] for k, s in observed.silhouettes.items()}
    k = min(gaps, key=lambda key: (-gaps[key], key))
    chance_gaps = np.nan_to_num(chance - means[None, :], nan=-np.inf).max(axis=1)
    as_clear = int((chance_gaps >= gaps[k] - 1e-12).sum())
    column = chance[:, k - K_RANGE.start]
    column = column[np.isfinite(column)]
    # None when no reshuffle could be split into k groups: there is no
    # silhouette of chance to tell, and a 0 would read as one measured.
    test = {
        "shuffles": int(shuffles),
        "as_clear": as_clear,
        "p_value": rounded((1 + as_clear) / (1 + shuffles)),
        "level": level,
        "chance_mean": rounded(column.mean()) if len(column) else None,
        "chance_sd": rounded(column.std()) if len(column) else None,
        "chance_highest": rounded(column.max()) if len(column) else None,
    }
    labels, score = observed.labels[k], observed.silhouettes[k]
    return Choice(k=k, labels=labels, silhouette=score, significance=test)


def reshuffled(
    votes: Votes,
    min_size: int,
    seed: int,
    shuffles: int,
    progress: Callable[[float], None] = lambda fraction: None,
    *,
    processes: int | None = None,
) -> np.ndarray:
    """The silhouette of each allowed split (columns: K_RANGE) of each
    reshuffle of the votes (rows); NaN where a reshuffle has no such split.

    With more than one processor and enough votes, the reshuffles are shared
    out in consecutive parts: the first is computed here, each other in a
    process of its own, and every part deals as the whole run would (its
    generator is moved on past the parts before it), so the rows are the
    same, whoever computes them. ``processes`` caps the parts (None: one
    per processor)."""
    parts = min(processors() if processes is None else processes, MAX_PARTS, shuffles)
    if parts < 2 or len(votes.values) * shuffles < SHARED_OUT_DEALT:
        return reshuffled_part(votes, min_size, seed, 0, shuffles, progress=progress)
    (_, mine), *spans = itertools.pairwise(np.linspace(0, shuffles, parts + 1).astype(int).tolist())
    others = [
        Beside(reshuffled_part, votes, min_size, seed, first, end - first) for first, end in spans
    ]
    try:
        share = mine / shuffles
        rows = [
            reshuffled_part(votes, min_size, seed, 0, mine, progress=lambda f: progress(f * share))
        ]
        for other, (first, end) in zip(others, spans, strict=True):
            done, part = first / shuffles, (end - first) / shuffles
            rows.append(other.result(lambda f, done=done, part=part: progress(done + f * part)))
    finally:
        for other in others:
            other.close()
    return np.concatenate(rows)


def reshuffled_part(
    votes: Votes,
    min_size: int,
    seed: int,
    first: int,
    count: int,
    *,
    progress: Callable[[float], None] = lambda fraction: None,
) -> np.ndarray:
    """The rows of ``reshuffled`` for reshuffles first .. first + count - 1."""
    rng = np.random.default_rng(seed)
    # Votes sorted by comment, each comment's in row order: the deal owes
    # nothing to ids, only to the canonical order of Votes.
    by_comment = np.argsort(votes.cols, kind="stable")
    keys = votes.cols[by_comment].astype(np.float64)
    # Each reshuffle draws one number per vote (one step of the generator
    # each): the parts before this one drew first * len(keys).
    rng.bit_generator.advance(first * len(keys))
    chance = np.full((count, len(K_RANGE)), np.nan)
    project = Projection(votes)  # the same people vote on the same comments
    done, batch, size = 0, [], 0
    for i in range(count):
        dealt = by_comment[np.argsort(keys + rng.random(len(keys)), kind="stable")]
        values = np.empty_like(votes.values)
        values[by_comment] = votes.values[dealt]
        coords, _ = project(values)
        # The projection is the slow part of a large reshuffle: the share
        # projected is the share done.
        progress((i + 1) / count)
        batch.append(coords)
        size += min(len(coords), MAX_DISTINCT)
        # The reshuffles' k-means run side by side, about BATCH_POINTS points
        # at a time: each one's figures are the same, and come quicker.
        if size < BATCH_POINTS and i + 1 < count:
            continue
        for found in splits_of_many(batch, min_size, seed):
            for k, score in found.silhouettes.items():
                chance[done, k - K_RANGE.start] = score
            done += 1
        batch, size = [], 0
    return chance
