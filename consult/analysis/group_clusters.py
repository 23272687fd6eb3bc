"""Opinion groups from the projected participants (consult.analysis.groups
says what the method does and why; consult.analysis.group_chance tests them
against chance).

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

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

K_RANGE = range(2, 6)
RESTARTS = 10
LLOYD_ROUNDS = 300
TOLERANCE = 1e-4
# Up to this many distinct points are clustered as they are (each weighted by
# the participants on it), so the result is exact; beyond it the points are
# binned on a grid fine enough to leave at most this many occupied cells.
MAX_DISTINCT = 1000
GRIDS = (512, 384, 256, 192, 128, 96, 64, 48, 32, 24, 16)
# Reshuffles whose k-means run side by side: about this many points clustered.
BATCH_POINTS = 16_000
# Sets of points whose silhouettes are taken together: about this many distances.
SILHOUETTE_CELLS = 1_000_000


@dataclass(frozen=True)
class Splits:
    """Every allowed split of one set of points: k -> (labels, silhouette)."""

    labels: dict[int, np.ndarray]  # per participant, in Votes' row order
    silhouettes: dict[int, float]
    too_small: bool  # some k was turned down for a group under the floor


def splits(coords: np.ndarray, min_size: int, seed: int) -> Splits:
    """k-means for each k, keeping the splits whose groups all hold min_size people."""
    return splits_of_many([coords], min_size, seed)[0]


def splits_of_many(coords: list[np.ndarray], min_size: int, seed: int) -> list[Splits]:
    """``splits`` of each set of points. Sets with as many distinct points
    are clustered and scored side by side; each one's figures are those it
    has alone, as each set's generator draws the same numbers (it starts
    from ``seed``)."""
    weighted = [_weighted_points(one) for one in coords]
    cells = _clustered([points for points, _, _ in weighted], [w for _, w, _ in weighted], seed)
    scores = _scored(weighted, cells, min_size)
    found = []
    for i, (_, _, member) in enumerate(weighted):
        labels, silhouettes, too_small = {}, {}, False
        for k in K_RANGE:
            if (i, k) not in cells:
                break
            if (i, k) not in scores:
                too_small = True
                continue
            labels[k], silhouettes[k] = cells[i, k][member], scores[i, k]
        found.append(Splits(labels=labels, silhouettes=silhouettes, too_small=too_small))
    return found


def _clustered(
    points: list[np.ndarray], weights: list[np.ndarray], seed: int
) -> dict[tuple[int, int], np.ndarray]:
    """(set, k) -> the weighted k-means labels of the set's points, for each
    k = 2.. up to the number of points (none for a set of one point)."""
    draws = _starts(seed, max((len(one) for one in points), default=0))
    same_shape: dict[tuple[int, int], list[int]] = {}
    for i, one in enumerate(points):
        for k in K_RANGE if len(one) >= 2 else ():
            if k > len(one):
                break
            same_shape.setdefault((k, len(one)), []).append(i)
    tolerance = {i: TOLERANCE * float(points[i].var(axis=0).mean())
                 for (k, _), items in same_shape.items() if k == K_RANGE.start
                 for i in items}  # fmt: skip
    cells = {}
    for (k, _), items in same_shape.items():
        stacked, mass = np.stack([points[i] for i in items]), np.stack([weights[i] for i in items])
        centres = _plus_plus(stacked, mass, k, draws[k])
        labels = _lloyd(stacked, mass, centres, np.array([tolerance[i] for i in items]))
        cells.update(((i, k), cell) for i, cell in zip(items, labels, strict=True))
    return cells


def _scored(
    weighted: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    cells: dict[tuple[int, int], np.ndarray],
    min_size: int,
) -> dict[tuple[int, int], float]:
    """(set, k) -> silhouette of the splits whose groups all hold min_size people."""
    same_size: dict[int, list[int]] = {}
    for i, (points, _, _) in enumerate(weighted):
        if (i, K_RANGE.start) in cells:
            same_size.setdefault(len(points), []).append(i)
    scores = {}
    for n, items in same_size.items():
        # Sets whose distances together hold about SILHOUETTE_CELLS numbers at a time.
        step = max(1, SILHOUETTE_CELLS // (n * n))
        for part in (items[at : at + step] for at in range(0, len(items), step)):
            distances = _distances([weighted[i][0] for i in part])
            for k in K_RANGE:
                allowed = [
                    j
                    for j, i in enumerate(part)
                    if (i, k) in cells
                    and np.bincount(cells[i, k], weights=weighted[i][1], minlength=k).min()
                    >= min_size
                ]
                if not allowed:
                    continue
                found = _silhouettes(
                    distances if len(allowed) == len(part) else distances[allowed],
                    np.stack([weighted[part[j]][1] for j in allowed]),
                    np.stack([cells[part[j], k] for j in allowed]),
                    k,
                )
                scores.update(((part[j], k), float(x)) for j, x in zip(allowed, found, strict=True))
    return scores


def _distances(points: list[np.ndarray]) -> np.ndarray:
    """Each set's distances between its points (sets of as many points)."""
    if len(points) == 1:
        return cdist(points[0], points[0])[None]
    return np.stack([cdist(one, one) for one in points])


def _starts(seed: int, n: int) -> dict[int, list[np.ndarray]]:
    """The numbers each k's k-means++ starts draw, per centre, in the order a
    generator from ``seed`` gives them for k = 2, 3, ... (while k <= n)."""
    rng = np.random.default_rng(seed)
    return {k: [rng.random(RESTARTS) for _ in range(k)] for k in K_RANGE if k <= n}


def _weighted_points(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct points (or grid cells' centroids), their participant counts,
    and each participant's point."""
    distinct, member, counts = _distinct(coords)
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


def _distinct(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique of the rows of coords (n x 2), with each row's distinct row
    and each distinct row's count: the same arrays, sooner."""
    if len(coords) == 0 or np.isnan(coords).any() or (np.signbit(coords) & (coords == 0)).any():
        # Rows equal but for the sign of a zero: np.unique says which one stands for them.
        distinct, member, counts = np.unique(
            coords, axis=0, return_inverse=True, return_counts=True
        )
        return distinct, member.ravel(), counts
    order = np.lexsort((coords[:, 1], coords[:, 0]))
    ordered = coords[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    member = np.empty(len(ordered), dtype=np.intp)
    member[order] = np.cumsum(first) - 1
    return ordered[first], member, np.diff(np.append(np.flatnonzero(first), len(first)))


def weighted_kmeans(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Weighted k-means (Lloyd), RESTARTS k-means++ starts run side by side;
    the labels of the lowest inertia (the first such start on a tie)."""
    centres = _plus_plus(points[None], weights[None], k, [rng.random(RESTARTS) for _ in range(k)])
    tolerance = TOLERANCE * float(points.var(axis=0).mean())
    return _lloyd(points[None], weights[None], centres, np.array([tolerance]))[0]


def _lloyd(
    points: np.ndarray, weights: np.ndarray, centres: np.ndarray, tolerance: np.ndarray
) -> np.ndarray:
    """Lloyd's rounds from ``centres`` (sets x RESTARTS x k x 2) for sets of
    points of one size (sets x n x 2), each set's runs stopping together, as
    scikit-learn's do, once no centre moves by more than its ``tolerance``
    (TOLERANCE of its points' variance), or the labels stop changing; per set,
    the labels of the run of lowest inertia (the first such run on a tie)."""
    sets, runs, k, _ = centres.shape
    done_labels = np.empty((sets * runs, points.shape[1]), dtype=np.int64)
    done_centres = centres.reshape(sets * runs, k, 2).copy()
    running = _Running(points, weights, centres, tolerance)
    while True:
        new = _nearest(running.points, running.centres)
        changed = (new != running.labels).any(axis=1)
        # A set goes on while the labels of some run of it change.
        set_going = running.per_run(np.logical_or.reduceat(changed, running.starts))
        set_going &= running.live & ~running.last
        going = changed & set_going
        # A run whose labels did not change stays as it is (its centres are
        # the means of the same members, its labels those of the same
        # centres): it is done, though it may go on, unchanged, with its set.
        done = running.live & ~going
        if done.any():
            done_labels[running.lane[done]] = new[done]
            done_centres[running.lane[done]] = running.centres[done]
        running.labels, running.live = new, set_going
        # The runs of sets that stopped go on with no effect until there are
        # enough of them, and of runs done, to be worth leaving out.
        if not running.keep(going if 4 * (~going).sum() >= len(going) else None):
            break
        running.centres, shift = _moved(running.labels, running.tiled, running.centres)
        running.rounds += 1
        # Each set's largest move, over its runs still going (the others' is 0).
        largest = np.maximum.reduceat(shift, running.starts)
        running.last = running.per_run(largest) <= running.tolerance
        over = running.live & ~running.last & (running.rounds >= LLOYD_ROUNDS)
        if over.any():
            done_labels[running.lane[over]] = running.labels[over]
            done_centres[running.lane[over]] = running.centres[over]
            running.live &= ~over
    nearest = done_centres[np.arange(sets * runs)[:, None], done_labels]
    apart = np.repeat(points, runs, axis=0) - nearest
    squared = apart[:, :, 0] ** 2 + apart[:, :, 1] ** 2
    inertia = (squared * np.repeat(weights, runs, axis=0)).sum(axis=1).reshape(sets, runs)
    return done_labels.reshape(sets, runs, -1)[np.arange(sets), np.argmin(inertia, axis=1)]


class _Running:
    """The runs of _lloyd still going, set after set: each one's number, set,
    points, weights x (1, x, y) (weights x (x, y) when every weight is 1),
    centres, labels, set's tolerance, rounds done, and whether its next
    labels are its last."""

    def __init__(
        self, points: np.ndarray, weights: np.ndarray, centres: np.ndarray, tolerance: np.ndarray
    ) -> None:
        sets, runs, k, _ = centres.shape
        self.lane = np.arange(sets * runs)
        self.set = self.lane // runs
        self.points = np.repeat(points, runs, axis=0)
        # Weights of 1 (every point distinct) need no summing: a count is their sum.
        tiled = [weights * points[:, :, 0], weights * points[:, :, 1]]
        tiled = tiled if (weights == 1).all() else [weights, *tiled]
        self.tiled = np.repeat(np.stack(tiled), runs, axis=1)
        self.centres = centres.reshape(sets * runs, k, 2)
        self.labels = np.full(self.points.shape[:2], -1, dtype=np.int8)
        self.tolerance = np.repeat(tolerance, runs)
        self.rounds = np.zeros(sets * runs, dtype=np.int64)
        self.last = np.zeros(sets * runs, dtype=bool)
        self.live = np.ones(sets * runs, dtype=bool)
        self.starts, self.counts = np.arange(0, sets * runs, runs), np.full(sets, runs)

    def per_run(self, per_set: np.ndarray) -> np.ndarray:
        """A figure of each set, for each of its runs."""
        return np.repeat(per_set, self.counts)

    def keep(self, keep: np.ndarray | None) -> bool:
        """Keep only these runs (None: all); whether any is left."""
        if keep is not None and not keep.all():
            for name in ("lane", "set", "points", "centres", "labels", "tolerance", "rounds"):
                setattr(self, name, getattr(self, name)[keep])
            self.last, self.live, self.tiled = self.last[keep], self.live[keep], self.tiled[:, keep]
            if not len(self.lane):
                return False
            self.starts = np.flatnonzero(np.concatenate(([True], self.set[1:] != self.set[:-1])))
            self.counts = np.bincount(self.set)[self.set[self.starts]]
        return bool(self.live.any())


def _moved(
    labels: np.ndarray, tiled: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each run's centres moved to their members' weighted mean (a centre left
    without members stays where it was), and each run's largest squared move."""
    runs, k, _ = centres.shape
    size = runs * k
    cell = (labels + k * np.arange(runs)[:, None]).ravel()
    sums = [np.bincount(cell, weights=w.ravel(), minlength=size) for w in tiled]
    mass = sums.pop(0) if len(sums) == 3 else np.bincount(cell, minlength=size).astype(np.float64)
    flat = centres.reshape(size, 2)
    where = mass[:, None] > 0  # a centre left without members stays where it was
    moved = np.divide(np.stack(sums, axis=1), mass[:, None], out=flat.copy(), where=where)
    apart = moved - flat
    shift = (apart[:, 0] ** 2 + apart[:, 1] ** 2).reshape(runs, k).max(axis=1)
    return moved.reshape(runs, k, 2), shift


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each run's nearest centre to each of its points (runs x points)."""
    # |p - c|^2 = |p|^2 - 2 p.c + |c|^2, and |p|^2 is the same for every centre.
    distance = centres @ points.transpose(0, 2, 1)
    np.multiply(distance, 2, out=distance)
    lengths = centres[:, :, 0] ** 2 + centres[:, :, 1] ** 2
    np.subtract(lengths[..., None], distance, out=distance)
    # k is small: k passes over contiguous rows beat an argmin across them.
    # A centre is nearer only if strictly so, so the first wins a tie (as with
    # argmin), and a nearer centre always has the higher number.
    k = distance.shape[1]
    if k == 1:
        return np.zeros(distance.shape[::2], dtype=np.int8)
    nearest = (distance[:, 1] < distance[:, 0]).view(np.int8)
    best = np.minimum(distance[:, 0], distance[:, 1]) if k > 2 else None
    for j in range(2, k):
        closer = distance[:, j] < best
        np.maximum(nearest, closer.view(np.int8) * np.int8(j), out=nearest)
        if j + 1 < k:
            np.minimum(best, distance[:, j], out=best)
    return nearest


def _plus_plus(
    points: np.ndarray, weights: np.ndarray, k: int, draws: list[np.ndarray]
) -> np.ndarray:
    """k-means++ starts for RESTARTS runs of each set of points (sets x n x 2):
    each centre drawn with probability proportional to weight x squared
    distance to the nearest centre so far, from ``draws`` (k x RESTARTS
    numbers in [0, 1)). Returns sets x RESTARTS x k x 2 centres."""
    at = np.arange(len(points))[:, None]
    chosen = np.empty((len(points), RESTARTS, k), dtype=np.int64)
    chosen[:, :, 0] = _draw(np.cumsum(weights, axis=1)[:, None, :], draws[0])
    nearest = _squared_distances(points, points[at, chosen[:, :, 0]])
    for j in range(1, k):
        mass = weights[:, None, :] * nearest
        mass[mass.sum(axis=2) <= 0] = 1.0  # every point on a centre already
        chosen[:, :, j] = _draw(np.cumsum(mass, axis=2), draws[j])
        np.minimum(nearest, _squared_distances(points, points[at, chosen[:, :, j]]), out=nearest)
    return points[at[:, :, None], chosen]


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """|p - c|^2 of each set's points (sets x n x 2) to each of its centres
    (sets x runs x 2): sets x runs x n."""
    across = points[:, None, :, 0] - centres[:, :, None, 0]
    down = points[:, None, :, 1] - centres[:, :, None, 1]
    return np.add(np.square(across, out=across), np.square(down, out=down), out=across)


def _draw(cumulative: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """One index per run and set, with probability proportional to the mass
    whose running total (sets x runs or 1 x n) is ``cumulative``."""
    targets = draw * cumulative[:, :, -1]
    count = (cumulative <= targets[:, :, None]).sum(axis=2)
    return np.minimum(count, cumulative.shape[2] - 1)


def silhouette(distances: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> float:
    """The mean silhouette over participants, from distinct points that stand
    for ``weights`` participants each: exactly sklearn's silhouette_score of
    the participants (0 for someone alone in their group)."""
    return float(_silhouettes(distances[None], weights[None], labels[None], k)[0])


def _silhouettes(
    distances: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int
) -> np.ndarray:
    """``silhouette`` of each of several sets of as many points (sets x n x n
    distances, sets x n weights and labels)."""
    onehot = np.eye(k)[labels] * weights[:, :, None]
    sizes = onehot.sum(axis=1)
    totals = distances @ onehot  # each point's summed distance to each group's members
    own = np.take_along_axis(sizes, labels, axis=1) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.take_along_axis(totals, labels[:, :, None], axis=2)[:, :, 0] / own
        mean_to = totals / sizes[:, None, :]
        np.put_along_axis(mean_to, labels[:, :, None], np.inf, axis=2)
        b = mean_to.min(axis=2)
        s = (b - a) / np.maximum(a, b)
    s[(own <= 0) | ~np.isfinite(s)] = 0.0
    return (s * weights).sum(axis=1) / weights.sum(axis=1)


def relabel(labels: np.ndarray, k: int, coords: np.ndarray) -> np.ndarray:
    """Number groups by size (largest first), then by the position of their centre."""
    sizes = np.bincount(labels, minlength=k)
    centres = np.array([coords[labels == g].mean(axis=0) for g in range(k)])
    order = np.lexsort((centres[:, 1], centres[:, 0], -sizes))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[labels]
