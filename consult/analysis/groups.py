"""Opinion groups in the manner of Polis, from agree/disagree/pass votes on comments.

The method follows Polis (pol.is, compdemocracy/polis, ``math/``):

1. A participant x comment matrix of votes: +1 agree, -1 disagree, 0 pass.
   Comments with fewer than ``min_voters_per_comment`` voters and
   participants with fewer than ``min_votes_per_participant`` votes (capped
   to the number of comments left) are dropped, repeatedly, until both hold.
2. A missing vote is imputed with its comment's mean vote. The column means
   of the imputed matrix are then those same means, so the centred imputed
   matrix is zero wherever a vote is missing and ``vote - mean`` wherever
   there is one: it stays sparse and PCA is a truncated SVD of it, with no
   dense 10,000 x 5,000 matrix. Each principal axis is turned so that its
   largest loading is positive, which makes the picture independent of the
   order in which votes arrive.
3. Each participant is projected on the two axes and, as Polis does, the
   projection is scaled by sqrt(comments / votes cast) so that someone who
   voted on few comments is not pulled into the centre by the imputed means.
4. k-means for k = 2..5 (fixed seed and restarts) on the 2-D points; the k
   with the highest silhouette wins (ties go to the smaller k). Groups are
   numbered by size, largest first, then by their smallest member id.
5. Per group and comment, shares are Laplace-smoothed as in Polis:
   ``(agree + 1) / (seen + 2)`` where ``seen`` counts agree, disagree and
   pass. Smoothing keeps a group of three unanimous voters from reading as
   100% and lets small groups be compared with large ones.

   - *Distinctive* comments of a group (Polis "representative comments"):
     for a direction d (agree or disagree), ``share`` is the group's
     smoothed share of d and ``others_share`` that of every other
     participant considered. The comment qualifies when the representativeness
     ratio ``share / others_share`` is above 1, the two-proportion z-test of
     the group against the others is significant at 90% (z > 1.2816) and so
     is the group's own majority for d (one-proportion test against 0.5),
     both with Polis' pseudocounts. ``score`` is Polis' metric
     ``ratio * z_two * share * z_one``; the top 5 by score are kept.
   - *Consensus* (Polis "group-informed consensus"): comments that every
     group agrees with (or every group disagrees with), each group's smoothed
     share being at least ``consensus_share`` with at least
     ``min_group_voters`` voters in it; ranked by the product of the shares.
   - *Divisive*: comments whose smoothed agree share differs most between
     groups (``spread`` = highest minus lowest), with at least
     ``min_group_voters`` voters in every group and a spread of at least
     ``min_spread``.

When the votes cannot carry groups the result says so instead of drawing
noise, with empty ``groups``, ``consensus``, ``divisive`` and ``points``:

- ``"too_few_votes"``, reason ``"too_few_comments"`` or
  ``"too_few_participants"``: fewer than ``min_comments`` or
  ``min_participants`` left after the thresholds (``k`` and ``silhouette``
  are None, ``explained_variance`` is empty);
- ``"no_clear_groups"``, reason ``"no_variation"`` (everyone sits on the same
  few points), ``"low_silhouette"`` (the best silhouette is below
  ``min_silhouette``) or ``"not_above_chance"`` (it does not beat, by
  ``min_silhouette_gain``, the silhouette of the same votes with each
  comment's votes shuffled among its voters). ``silhouette`` then says how
  far off it was; ``k`` is None.

The result holds no participant id: only counts, comment ids and anonymous
2-D points (a fixed sample of at most 2,000, ordered by group and position).
The same votes, in any order, give the same dict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

DEFAULT_THRESHOLDS: dict[str, float] = {
    "min_votes_per_participant": 7,
    "min_voters_per_comment": 3,
    "min_participants": 12,
    "min_comments": 3,
    # Kaufman and Rousseeuw read a silhouette of 0.25 or less as "no
    # substantial structure"; that is the floor.
    "min_silhouette": 0.25,
    # Above the floor the test is against chance, because k-means splits a
    # blob without groups too: uniform random votes score 0.33-0.37 with a
    # few hundred participants and more, and up to 0.62 with 12 (the silhouette
    # of few points is noisy). So the best silhouette must beat, by this much,
    # the one the same votes give with each comment's votes shuffled among its
    # voters. Over 40 sets of uniform random votes per size, the gain never
    # reached 0.15 with 30 or more participants considered, and did in at most
    # 3 of 40 with 12 or 20; two planted camps with a tenth of the votes
    # flipped cleared it in 15 of 15, with 30 or 60 participants voting on all
    # of 20 or 50 comments.
    "min_silhouette_gain": 0.15,
    "min_group_voters": 3,
    "consensus_share": 0.6,
    # Smoothed agree shares of two groups that differ by less than this are
    # not worth calling divisive.
    "min_spread": 0.2,
}
STATUS_OK = "ok"
STATUS_TOO_FEW_VOTES = "too_few_votes"
STATUS_NO_CLEAR_GROUPS = "no_clear_groups"
REASON_TOO_FEW_COMMENTS = "too_few_comments"
REASON_TOO_FEW_PARTICIPANTS = "too_few_participants"
REASON_LOW_SILHOUETTE = "low_silhouette"
REASON_NO_VARIATION = "no_variation"
REASON_CHANCE = "not_above_chance"

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
class _Votes:
    """Votes of the participants and comments considered, in canonical order."""

    participant_ids: np.ndarray  # sorted ids of the participants considered
    comment_ids: np.ndarray  # sorted ids of the comments considered
    rows: np.ndarray  # index into participant_ids, per vote
    cols: np.ndarray  # index into comment_ids, per vote
    values: np.ndarray  # +1, -1, 0 per vote
    participants_total: int


class Analysis(NamedTuple):
    """The public result, plus each considered participant's group (for tests
    and for exports that say who is in which group under their own numbering)."""

    result: dict[str, Any]
    participant_ids: np.ndarray
    labels: np.ndarray | None


def opinion_groups(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
    **thresholds: float,
) -> dict[str, Any]:
    """Opinion groups, their distinctive comments, consensus and divisive comments.

    One vote per (participant, comment) pair: ``values`` is +1 agree, -1
    disagree, 0 pass. ``thresholds`` override DEFAULT_THRESHOLDS by name.
    ``progress`` is told the share done (0-1).
    """
    return _analyse(
        participants, comments, values, seed=seed, progress=progress, **thresholds
    ).result


def opinion_groups_with_members(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    seed: int = 0,
    **thresholds: float,
) -> Analysis:
    """opinion_groups, with the group label of each participant considered."""
    return _analyse(participants, comments, values, seed=seed, **thresholds)


def _analyse(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
    **thresholds: float,
) -> Analysis:
    th = _thresholds(thresholds)
    votes = _considered_votes(participants, comments, values, th)
    progress(0.1)
    # One thread: on a busy machine (the summary runs beside the site), k-means
    # with two OpenMP threads waiting on each other took 24-64 times as long
    # as with one; one thread also fixes the order of every sum.
    with threadpool_limits(limits=1):
        analysis = _analyse_votes(votes, th, seed, progress)
    progress(1.0)
    return analysis


def _analyse_votes(
    votes: _Votes,
    th: dict[str, float],
    seed: int,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Analysis:
    counts = _counts(votes)
    n_comments, n_participants = len(votes.comment_ids), len(votes.participant_ids)
    if n_comments < max(th["min_comments"], 2):
        return _without_groups(votes, STATUS_TOO_FEW_VOTES, REASON_TOO_FEW_COMMENTS, counts)
    if n_participants < max(th["min_participants"], 3):
        return _without_groups(votes, STATUS_TOO_FEW_VOTES, REASON_TOO_FEW_PARTICIPANTS, counts)
    coords, explained = _project(votes)
    progress(0.3)
    counts["explained_variance"] = [_r(x) for x in explained]
    best = _cluster(coords, seed)
    progress(0.7)
    if best is None:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_NO_VARIATION, counts)
    k, labels, silhouette = best
    counts["silhouette"] = _r(silhouette)
    if silhouette < th["min_silhouette"]:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_LOW_SILHOUETTE, counts)
    if silhouette < _chance_silhouette(votes, seed) + th["min_silhouette_gain"]:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_CHANCE, counts)
    labels = _relabel(labels, k)
    result = {
        "status": STATUS_OK,
        "reason": None,
        **counts,
        "k": k,
        **_describe(votes, coords, labels, k, th, seed),
    }
    return Analysis(_ordered(result), votes.participant_ids, labels)


def _thresholds(overrides: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(overrides) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise TypeError(f"unknown thresholds: {', '.join(unknown)}")
    return {**DEFAULT_THRESHOLDS, **overrides}


def _considered_votes(
    participants: np.ndarray, comments: np.ndarray, values: np.ndarray, th: dict[str, float]
) -> _Votes:
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
    return _Votes(
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


def _counts(votes: _Votes) -> dict[str, Any]:
    return {
        "participants": votes.participants_total,
        "participants_considered": len(votes.participant_ids),
        "comments_considered": len(votes.comment_ids),
        "votes_considered": len(votes.values),
        "k": None,
        "silhouette": None,
        "explained_variance": [],
    }


def _without_groups(votes: _Votes, status: str, reason: str, counts: dict) -> Analysis:
    result = {
        "status": status,
        "reason": reason,
        **counts,
        "groups": [],
        "consensus": [],
        "divisive": [],
        "points": [],
    }
    return Analysis(_ordered(result), votes.participant_ids, None)


_KEY_ORDER = (
    "status", "reason", "participants", "participants_considered", "comments_considered",
    "votes_considered", "k", "silhouette", "explained_variance", "groups", "consensus",
    "divisive", "points",
)  # fmt: skip


def _ordered(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result[key] for key in _KEY_ORDER}


def _r(x: float) -> float:
    return round(float(x), 4)


# --- Projection -------------------------------------------------------------------------


def _project(votes: _Votes) -> tuple[np.ndarray, list[float]]:
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


def _cluster(coords: np.ndarray, seed: int) -> tuple[int, np.ndarray, float] | None:
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


def _chance_silhouette(votes: _Votes, seed: int) -> float:
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
        coords, _ = _project(replace(votes, values=values))
        best = _cluster(coords, seed)
        scores.append(best[2] if best is not None else 0.0)
    return float(np.mean(scores))


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _relabel(labels: np.ndarray, k: int) -> np.ndarray:
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


def _tally(votes: _Votes, labels: np.ndarray, k: int) -> _Tally:
    n_c = len(votes.comment_ids)
    cell = labels[votes.rows] * n_c + votes.cols

    def count(value: int) -> np.ndarray:
        hits = cell[votes.values == value]
        return np.bincount(hits, minlength=k * n_c).reshape(k, n_c)

    return _Tally(agree=count(1), disagree=count(-1), passed=count(0))


def _describe(
    votes: _Votes, coords: np.ndarray, labels: np.ndarray, k: int, th: dict, seed: int
) -> dict[str, Any]:
    tally = _tally(votes, labels, k)
    groups = [
        {
            "id": g,
            "size": int((labels == g).sum()),
            "centre": [_r(x) for x in coords[labels == g].mean(axis=0)],
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
                    "share": _r(share[c]),
                    "others_share": _r(others[c]),
                    "score": _r(score[c]),
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
                    "shares": [_r(x) for x in shares[:, c]],
                    "score": _r(score[c]),
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
            "shares": [_r(x) for x in shares[:, c]],
            "spread": _r(spread[c]),
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
