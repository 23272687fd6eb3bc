"""Opinion groups from the projected participants, and the test that they are
beyond chance (consult.analysis.groups says what the method does and why).

For each k = 2..5 the participants' 2-D points are split by k-means (the
lowest inertia of ``RESTARTS`` k-means++ starts) and the split is scored by
its silhouette. The same votes are then reshuffled ``shuffles`` times (each
comment's votes dealt out again among the people who voted on it) and put
through the same projection and splits. The groups shown are those of the k
whose silhouette stands furthest above its mean over the reshuffles (the gap,
as in Tibshirani, Walther and Hastie's gap statistic); the test compares that
largest gap with each reshuffle's own largest gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial.distance import cdist

from consult.analysis.group_steps import Votes, project, rounded

K_RANGE = range(2, 6)
RESTARTS = 10
LLOYD_ROUNDS = 300
TOLERANCE = 1e-4
# Up to this many distinct points are clustered as they are (each weighted by
# the participants on it), so the result is exact; beyond it the points are
# binned on a grid fine enough to leave at most this many occupied cells.
MAX_DISTINCT = 1000
GRIDS = (512, 384, 256, 192, 128, 96, 64, 48, 32, 24, 16)


@dataclass(frozen=True)
class Splits:
    """Every allowed split of one set of points: k -> (labels, silhouette)."""

    labels: dict[int, np.ndarray]  # per participant, in Votes' row order
    silhouettes: dict[int, float]
    too_small: bool  # some k was turned down for a group under the floor


def splits(coords: np.ndarray, min_size: int, seed: int) -> Splits:
    """k-means for each k, keeping the splits whose groups all hold min_size people."""
    points, weights, member = _weighted_points(coords)
    if len(points) < 2:
        return Splits(labels={}, silhouettes={}, too_small=False)
    distances = cdist(points, points)
    rng = np.random.default_rng(seed)
    labels, silhouettes, too_small = {}, {}, False
    for k in K_RANGE:
        if k > len(points):
            break
        cell = weighted_kmeans(points, weights, k, rng)
        sizes = np.bincount(cell, weights=weights, minlength=k)
        if sizes.min() < min_size:
            too_small = True
            continue
        labels[k] = cell[member]
        silhouettes[k] = silhouette(distances, weights, cell, k)
    return Splits(labels=labels, silhouettes=silhouettes, too_small=too_small)


def _weighted_points(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct points (or grid cells' centroids), their participant counts,
    and each participant's point."""
    distinct, member, counts = np.unique(coords, axis=0, return_inverse=True, return_counts=True)
    member = member.ravel()
    if len(distinct) <= MAX_DISTINCT:
        return distinct, counts.astype(np.float64), member
    low, span = coords.min(axis=0), np.ptp(coords, axis=0)
    span[span == 0] = 1.0
    for bins in GRIDS:
        cells = np.minimum(((coords - low) / span * bins).astype(np.int64), bins - 1)
        keys, member = np.unique(cells[:, 0] * bins + cells[:, 1], return_inverse=True)
        if len(keys) <= MAX_DISTINCT:
            break
    counts = np.bincount(member).astype(np.float64)
    centroids = (
        np.stack([np.bincount(member, weights=column) for column in coords.T], axis=1)
        / counts[:, None]
    )
    return centroids, counts, member


def weighted_kmeans(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Weighted k-means (Lloyd), RESTARTS k-means++ starts run side by side;
    the labels of the lowest inertia (the first such start on a tie)."""
    runs, n = RESTARTS, len(points)
    centres = _plus_plus(points, weights, k, rng)
    labels = np.full((runs, n), -1)
    offsets = k * np.arange(runs)[:, None]
    tiled = [np.tile(weights * column, runs) for column in (np.ones(n), *points.T)]
    # Stop, as scikit-learn does, once no centre moves by more than TOLERANCE
    # of the points' variance (squared), or the labels stop changing.
    tolerance = TOLERANCE * float(points.var(axis=0).mean())
    for _ in range(LLOYD_ROUNDS):
        new = _nearest(points, centres)
        if np.array_equal(new, labels):
            break
        labels = new
        cell = (labels + offsets).ravel()
        mass, *sums = (np.bincount(cell, weights=w, minlength=runs * k) for w in tiled)
        flat = centres.reshape(runs * k, 2)
        where = mass[:, None] > 0  # a centre left without members stays where it was
        moved = np.divide(np.stack(sums, axis=1), mass[:, None], out=flat.copy(), where=where)
        shift = float(((moved - flat) ** 2).sum(axis=1).max())
        centres = moved.reshape(runs, k, 2)
        if shift <= tolerance:
            labels = _nearest(points, centres)
            break
    nearest = np.take_along_axis(centres, labels[:, :, None], axis=1)
    inertia = ((((points[None] - nearest) ** 2).sum(axis=2)) * weights[None, :]).sum(axis=1)
    return labels[int(np.argmin(inertia))]


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each run's nearest centre to each point (runs x points)."""
    # |p - c|^2 = |p|^2 - 2 p.c + |c|^2, and |p|^2 is the same for every centre.
    distance = (centres**2).sum(axis=2)[:, :, None] - 2 * (centres @ points.T)
    # k is small: k passes over contiguous rows beat an argmin across them
    # (the first centre wins a tie, as argmin's).
    best, nearest = distance[:, 0, :].copy(), np.zeros(distance[:, 0, :].shape, dtype=np.int64)
    for j in range(1, distance.shape[1]):
        closer = distance[:, j, :] < best
        best[closer] = distance[:, j, :][closer]
        nearest[closer] = j
    return nearest


def _plus_plus(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """k-means++ starts for RESTARTS runs: each centre drawn with probability
    proportional to weight x squared distance to the nearest centre so far."""
    chosen = np.empty((RESTARTS, k), dtype=np.int64)
    chosen[:, 0] = _draw(np.tile(weights, (RESTARTS, 1)), rng)
    nearest = ((points[None, :, :] - points[chosen[:, 0]][:, None, :]) ** 2).sum(axis=2)
    for j in range(1, k):
        mass = weights[None, :] * nearest
        mass[mass.sum(axis=1) <= 0] = 1.0  # every point on a centre already
        chosen[:, j] = _draw(mass, rng)
        step = ((points[None, :, :] - points[chosen[:, j]][:, None, :]) ** 2).sum(axis=2)
        nearest = np.minimum(nearest, step)
    return points[chosen].astype(np.float64)


def _draw(mass: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row, with probability proportional to the row's mass."""
    cumulative = np.cumsum(mass, axis=1)
    targets = rng.random(len(mass)) * cumulative[:, -1]
    return np.minimum((cumulative <= targets[:, None]).sum(axis=1), mass.shape[1] - 1)


def silhouette(distances: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> float:
    """The mean silhouette over participants, from distinct points that stand
    for ``weights`` participants each: exactly sklearn's silhouette_score of
    the participants (0 for someone alone in their group)."""
    onehot = np.eye(k)[labels] * weights[:, None]
    sizes = onehot.sum(axis=0)
    totals = distances @ onehot  # each point's summed distance to each group's members
    rows = np.arange(len(labels))
    own = sizes[labels] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        a = totals[rows, labels] / own
        mean_to = totals / sizes[None, :]
        mean_to[rows, labels] = np.inf
        b = mean_to.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s[(own <= 0) | ~np.isfinite(s)] = 0.0
    return float((s * weights).sum() / weights.sum())


# --- The choice of k and the test against chance -----------------------------------------


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
    chance = reshuffled(votes, min_size, seed, shuffles, progress)  # shuffles x k, NaN: none
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
    column = column if len(column) else np.zeros(1)
    test = {
        "shuffles": int(shuffles),
        "as_clear": as_clear,
        "p_value": rounded((1 + as_clear) / (1 + shuffles)),
        "level": level,
        "chance_mean": rounded(column.mean()),
        "chance_sd": rounded(column.std()),
        "chance_highest": rounded(column.max()),
    }
    labels, score = observed.labels[k], observed.silhouettes[k]
    return Choice(k=k, labels=labels, silhouette=score, significance=test)


def reshuffled(
    votes: Votes,
    min_size: int,
    seed: int,
    shuffles: int,
    progress: Callable[[float], None] = lambda fraction: None,
) -> np.ndarray:
    """The silhouette of each allowed split (columns: K_RANGE) of each
    reshuffle of the votes (rows); NaN where a reshuffle has no such split."""
    rng = np.random.default_rng(seed)
    # Votes sorted by comment, each comment's in row order: the deal owes
    # nothing to ids, only to the canonical order of Votes.
    by_comment = np.argsort(votes.cols, kind="stable")
    keys = votes.cols[by_comment].astype(np.float64)
    chance = np.full((shuffles, len(K_RANGE)), np.nan)
    for i in range(shuffles):
        dealt = by_comment[np.argsort(keys + rng.random(len(keys)), kind="stable")]
        values = np.empty_like(votes.values)
        values[by_comment] = votes.values[dealt]
        coords, _ = project(replace(votes, values=values))
        for k, score in splits(coords, min_size, seed).silhouettes.items():
            chance[i, k - K_RANGE.start] = score
        progress((i + 1) / shuffles)
    return chance


def relabel(labels: np.ndarray, k: int, coords: np.ndarray) -> np.ndarray:
    """Number groups by size (largest first), then by the position of their centre."""
    sizes = np.bincount(labels, minlength=k)
    centres = np.array([coords[labels == g].mean(axis=0) for g in range(k)])
    order = np.lexsort((centres[:, 1], centres[:, 0], -sizes))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[labels]
