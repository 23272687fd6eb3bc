"""The steps of the opinion-group method (consult.analysis.groups says what
it does and why): the votes considered, their projection on two axes, the
k-means clustering checked against chance, and the description of each group
(distinctive comments, consensus, divisive comments, the anonymous points)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

Z_90 = 1.2816  # one-sided 90%, as Polis' `z-sig-90?`
K_RANGE = range(2, 6)
KMEANS_RESTARTS = 10
# The exact silhouette is quadratic in participants; on bench/groups.py's
# 10,000, and on 10,000 random voters, samples of 4,000 came within 0.006 of it.
SILHOUETTE_SAMPLE = 4000
MAX_POINTS = 2000
DISTINCTIVE_TOP = 5
CONSENSUS_TOP = 10
DIVISIVE_TOP = 10
# With 200,000 votes and more, one shuffle's silhouette varied by about
# 0.01 between seeds; fewer votes are cheap to shuffle three times.
NULL_SHUFFLES = 3
NULL_MANY_VOTES = 200_000
DENSE_SVD_CELLS = 1_000_000  # below this a dense SVD is quicker and exact


@dataclass(frozen=True)
class Votes:
    """Votes of the participants and comments considered, in canonical order."""

    participant_ids: np.ndarray  # sorted ids of the participants considered
    comment_ids: np.ndarray  # sorted ids of the comments considered
    rows: np.ndarray  # index into participant_ids, per vote
    cols: np.ndarray  # index into comment_ids, per vote
    values: np.ndarray  # +1, -1, 0 per vote
    participants_total: int


def considered_votes(
    participants: np.ndarray, comments: np.ndarray, values: np.ndarray, th: dict[str, float]
) -> Votes:
    participants = np.asarray(participants, dtype=np.int64).ravel()
    comments = np.asarray(comments, dtype=np.int64).ravel()
    values = np.asarray(values).ravel()
    if not len(participants) == len(comments) == len(values):
        raise ValueError("participants, comments and values must have the same length")
    if np.any((values < -1) | (values > 1)):
        raise ValueError("values must be +1 (agree), -1 (disagree) or 0 (pass)")
    values = values.astype(np.int8)
    # Canonical order first, so that every sum below adds in the same order
    # whatever order the votes came in.
    order = np.lexsort((comments, participants))
    participants, comments, values = participants[order], comments[order], values[order]
    p_ids, rows = np.unique(participants, return_inverse=True)
    c_ids, cols = np.unique(comments, return_inverse=True)
    keep_p, keep_c = _filter(rows, cols, len(p_ids), len(c_ids), th)
    mask = keep_p[rows] & keep_c[cols]
    p_new = np.cumsum(keep_p) - 1
    c_new = np.cumsum(keep_c) - 1
    return Votes(
        participant_ids=p_ids[keep_p],
        comment_ids=c_ids[keep_c],
        rows=p_new[rows[mask]],
        cols=c_new[cols[mask]],
        values=values[mask],
        participants_total=len(p_ids),
    )


def _filter(
    rows: np.ndarray, cols: np.ndarray, n_p: int, n_c: int, th: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Drop thin comments and thin participants until neither rule drops more."""
    keep_p = np.ones(n_p, dtype=bool)
    keep_c = np.ones(n_c, dtype=bool)
    while True:
        live = keep_p[rows] & keep_c[cols]
        voters = np.bincount(cols[live], minlength=n_c)
        new_c = keep_c & (voters >= th["min_voters_per_comment"])
        live = keep_p[rows] & new_c[cols]
        cast = np.bincount(rows[live], minlength=n_p)
        needed = min(th["min_votes_per_participant"], int(new_c.sum()))
        new_p = keep_p & (cast >= max(needed, 1))
        if np.array_equal(new_p, keep_p) and np.array_equal(new_c, keep_c):
            return keep_p, keep_c
        keep_p, keep_c = new_p, new_c


def rounded(x: float) -> float:
    return round(float(x), 4)


# --- Projection -------------------------------------------------------------------------


def project(votes: Votes) -> tuple[np.ndarray, list[float]]:
    """2-D PCA of the mean-imputed vote matrix, Polis-scaled for sparse voters."""
    n_p, n_c = len(votes.participant_ids), len(votes.comment_ids)
    cast = np.bincount(votes.cols, minlength=n_c)
    means = np.bincount(votes.cols, weights=votes.values, minlength=n_c) / cast
    centred = sparse.csr_matrix(
        ((votes.values - means[votes.cols]).astype(np.float32), (votes.rows, votes.cols)),
        shape=(n_p, n_c),
    )
    singular, axes = _top_axes(centred)
    total = float(np.square(centred.data, dtype=np.float64).sum())
    explained = (singular**2 / total) if total > 0 else np.zeros(2)
    per_participant = np.bincount(votes.rows, minlength=n_p)
    scale = np.sqrt(n_c / per_participant)
    coords = np.asarray(centred @ axes, dtype=np.float64) * scale[:, None]
    return coords, explained.tolist()


def _top_axes(centred: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The two largest singular values and their right singular vectors (columns)."""
    n_p, n_c = centred.shape
    # ARPACK wants k < min(shape); the thresholds leave at least 3 x 2.
    if n_p * n_c <= DENSE_SVD_CELLS or min(n_p, n_c) <= 3:
        _, singular, vt = np.linalg.svd(centred.toarray().astype(np.float64), full_matrices=False)
    else:
        # A fixed start vector makes ARPACK repeat itself exactly.
        start = np.random.default_rng(0).standard_normal(min(n_p, n_c))
        _, singular, vt = svds(centred, k=2, v0=start, solver="arpack")
    order = np.argsort(-singular, kind="stable")[:2]
    singular, axes = singular[order], vt[order].T.astype(np.float64)
    # SVD leaves each axis' sign arbitrary; make its largest loading positive
    # (the first such comment on a tie) so the picture never mirrors.
    biggest = np.argmax(np.abs(axes), axis=0)
    signs = np.sign(axes[biggest, np.arange(2)])
    signs[signs == 0] = 1
    return singular, axes * signs


# --- Clustering -------------------------------------------------------------------------


def cluster(coords: np.ndarray, seed: int) -> tuple[int, np.ndarray, float] | None:
    """The k-means labelling with the best silhouette, or None if the points do not vary."""
    distinct = len(np.unique(np.round(coords, 9), axis=0))
    sample = _sample(len(coords), SILHOUETTE_SAMPLE, seed)
    best = None
    for k in K_RANGE:
        if k >= distinct:
            break
        labels = KMeans(n_clusters=k, random_state=seed, n_init=KMEANS_RESTARTS).fit_predict(coords)
        if len(np.unique(labels[sample])) < 2:
            continue
        score = float(silhouette_score(coords[sample], labels[sample]))
        if best is None or score > best[2]:
            best = (k, labels, score)
    return best


def chance_silhouette(votes: Votes, seed: int) -> float:
    """The best silhouette of the same votes with each comment's votes shuffled among its voters.

    Shuffling keeps who voted on what, each comment's tally and each
    participant's number of votes, and destroys only what makes groups: that
    the same people agree on the same comments. The mean over a few shuffles
    is what k-means finds in these votes by chance.
    """
    rng = np.random.default_rng(seed)
    by_comment = np.lexsort((votes.rows, votes.cols))
    scores = []
    for _ in range(NULL_SHUFFLES if len(votes.values) <= NULL_MANY_VOTES else 1):
        shuffled = np.lexsort((rng.random(len(votes.values)), votes.cols))
        values = np.empty_like(votes.values)
        values[by_comment] = votes.values[shuffled]
        coords, _ = project(replace(votes, values=values))
        best = cluster(coords, seed)
        scores.append(best[2] if best is not None else 0.0)
    return float(np.mean(scores))


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def relabel(labels: np.ndarray, k: int) -> np.ndarray:
    """Number groups by size (largest first), then by smallest member id."""
    sizes = np.bincount(labels, minlength=k)
    # Participants are in id order, so a group's first index is its smallest id.
    first = np.array([np.flatnonzero(labels == g)[0] for g in range(k)])
    order = np.lexsort((first, -sizes))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[labels]


# --- Description ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tally:
    """Vote counts per group (rows) and comment (columns)."""

    agree: np.ndarray
    disagree: np.ndarray
    passed: np.ndarray

    @property
    def seen(self) -> np.ndarray:
        return self.agree + self.disagree + self.passed


def _tally(votes: Votes, labels: np.ndarray, k: int) -> _Tally:
    n_c = len(votes.comment_ids)
    cell = labels[votes.rows] * n_c + votes.cols

    def count(value: int) -> np.ndarray:
        hits = cell[votes.values == value]
        return np.bincount(hits, minlength=k * n_c).reshape(k, n_c)

    return _Tally(agree=count(1), disagree=count(-1), passed=count(0))


def describe(
    votes: Votes, coords: np.ndarray, labels: np.ndarray, k: int, th: dict, seed: int
) -> dict[str, Any]:
    tally = _tally(votes, labels, k)
    groups = [
        {
            "id": g,
            "size": int((labels == g).sum()),
            "centre": [rounded(x) for x in coords[labels == g].mean(axis=0)],
            "distinctive": _distinctive(tally, g, votes.comment_ids),
        }
        for g in range(k)
    ]
    return {
        "groups": groups,
        "consensus": _consensus(tally, votes.comment_ids, th),
        "divisive": _divisive(tally, votes.comment_ids, th),
        "points": _points(coords, labels, seed),
    }


def _smoothed(hits: np.ndarray, seen: np.ndarray) -> np.ndarray:
    return (hits + 1) / (seen + 2)


def _prop_test(hits: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Polis' one-proportion z against 0.5, with a pseudocount."""
    return 2 * np.sqrt(seen + 1) * ((hits + 1) / (seen + 1) - 0.5)


def _two_prop_test(
    hits_in: np.ndarray, seen_in: np.ndarray, hits_out: np.ndarray, seen_out: np.ndarray
) -> np.ndarray:
    """Polis' two-proportion z of a group against the rest, with pseudocounts."""
    hits_in, seen_in, hits_out, seen_out = (x + 1.0 for x in (hits_in, seen_in, hits_out, seen_out))
    pooled = (hits_in + hits_out) / (seen_in + seen_out)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / seen_in + 1 / seen_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (hits_in / seen_in - hits_out / seen_out) / spread
    return np.where(pooled >= 1, 0.0, z)


def _distinctive(tally: _Tally, g: int, comment_ids: np.ndarray) -> list[dict[str, Any]]:
    seen = tally.seen
    seen_in, seen_out = seen[g], seen.sum(axis=0) - seen[g]
    rows = []
    for direction, hits in (("agree", tally.agree), ("disagree", tally.disagree)):
        hits_in, hits_out = hits[g], hits.sum(axis=0) - hits[g]
        share, others = _smoothed(hits_in, seen_in), _smoothed(hits_out, seen_out)
        ratio = share / others
        z_two = _two_prop_test(hits_in, seen_in, hits_out, seen_out)
        z_one = _prop_test(hits_in, seen_in)
        score = ratio * z_two * share * z_one
        # A comment passes in one direction at most: a group cannot have a
        # significant majority both agreeing and disagreeing.
        for c in np.flatnonzero((ratio > 1) & (z_two > Z_90) & (z_one > Z_90)):
            rows.append(
                {
                    "comment": int(comment_ids[c]),
                    "direction": direction,
                    "agree": int(tally.agree[g, c]),
                    "disagree": int(tally.disagree[g, c]),
                    "pass": int(tally.passed[g, c]),
                    "seen": int(seen[g, c]),
                    "share": rounded(share[c]),
                    "others_share": rounded(others[c]),
                    "score": rounded(score[c]),
                }
            )
    return _top(rows, "score", DISTINCTIVE_TOP)


def _top(rows: list[dict[str, Any]], key: str, n: int) -> list[dict[str, Any]]:
    """The n highest by the rounded figure shown, ties by comment id."""
    return sorted(rows, key=lambda row: (-row[key], row["comment"]))[:n]


def _consensus(tally: _Tally, comment_ids: np.ndarray, th: dict) -> list[dict[str, Any]]:
    seen = tally.seen
    enough = (seen >= th["min_group_voters"]).all(axis=0)
    rows = []
    for direction, hits in (("agree", tally.agree), ("disagree", tally.disagree)):
        shares = _smoothed(hits, seen)
        score = shares.prod(axis=0)
        for c in np.flatnonzero(enough & (shares >= th["consensus_share"]).all(axis=0)):
            rows.append(
                {
                    "comment": int(comment_ids[c]),
                    "direction": direction,
                    "shares": [rounded(x) for x in shares[:, c]],
                    "score": rounded(score[c]),
                }
            )
    return _top(rows, "score", CONSENSUS_TOP)


def _divisive(tally: _Tally, comment_ids: np.ndarray, th: dict) -> list[dict[str, Any]]:
    seen = tally.seen
    shares = _smoothed(tally.agree, seen)
    spread = shares.max(axis=0) - shares.min(axis=0)
    ok = (seen >= th["min_group_voters"]).all(axis=0) & (spread >= th["min_spread"])
    rows = [
        {
            "comment": int(comment_ids[c]),
            "shares": [rounded(x) for x in shares[:, c]],
            "spread": rounded(spread[c]),
        }
        for c in np.flatnonzero(ok)
    ]
    return _top(rows, "spread", DIVISIVE_TOP)


def _points(coords: np.ndarray, labels: np.ndarray, seed: int) -> list[list[float | int]]:
    """A fixed sample of anonymous points, ordered by group and position, not by id."""
    chosen = _sample(len(coords), MAX_POINTS, seed)
    rounded = np.round(coords[chosen], 4)
    order = np.lexsort((rounded[:, 1], rounded[:, 0], labels[chosen]))
    return [[float(rounded[i, 0]), float(rounded[i, 1]), int(labels[chosen][i])] for i in order]
