"""The first steps of the opinion-group method (consult.analysis.groups says
what it does and why): the votes considered, in an order that owes nothing to
anyone's id, and their projection on two axes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

DENSE_SVD_CELLS = 1_000_000  # below this a dense SVD is quicker and exact


@dataclass(frozen=True)
class Votes:
    """Votes of the participants and comments considered, in canonical order.

    Participants are ordered by their votes alone (see ``_canonical_rows``),
    comments by id: the same votes under other participant ids give the same
    rows in the same order, so every step after this one gives the same
    figures, byte for byte.
    """

    participant_ids: np.ndarray  # ids of the participants considered, in row order
    comment_ids: np.ndarray  # sorted ids of the comments considered
    rows: np.ndarray  # index into participant_ids, per vote; votes sorted by row, then column
    cols: np.ndarray  # index into comment_ids, per vote
    values: np.ndarray  # +1, -1, 0 per vote
    participants_total: int
    # Comments moderators removed after people voted on them: Polis keeps
    # them as columns of zeros, which only changes the scaling of sparse voters.
    removed_comments: int = 0


def considered_votes(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    th: dict[str, float],
    *,
    removed_comments: int = 0,
) -> Votes:
    participants = np.asarray(participants, dtype=np.int64).ravel()
    comments = np.asarray(comments, dtype=np.int64).ravel()
    values = np.asarray(values).ravel()
    if not len(participants) == len(comments) == len(values):
        raise ValueError("participants, comments and values must have the same length")
    if np.any((values < -1) | (values > 1)):
        raise ValueError("values must be +1 (agree), -1 (disagree) or 0 (pass)")
    values = values.astype(np.int8)
    order = np.lexsort((comments, participants))
    participants, comments, values = participants[order], comments[order], values[order]
    if np.any((np.diff(participants) == 0) & (np.diff(comments) == 0)):
        raise ValueError("one vote per participant and comment")
    p_ids, rows = np.unique(participants, return_inverse=True)
    c_ids, cols = np.unique(comments, return_inverse=True)
    keep_p, keep_c = _filter(rows, cols, len(p_ids), len(c_ids), th)
    mask = keep_p[rows] & keep_c[cols]
    p_new = np.cumsum(keep_p) - 1
    c_new = np.cumsum(keep_c) - 1
    rows, cols, values = p_new[rows[mask]], c_new[cols[mask]], values[mask]
    rank = _canonical_rows(rows, cols, values, int(keep_p.sum()))
    rows = rank[rows]
    order = np.lexsort((cols, rows))
    return Votes(
        participant_ids=p_ids[keep_p][np.argsort(rank)],
        comment_ids=c_ids[keep_c],
        rows=rows[order],
        cols=cols[order],
        values=values[order],
        participants_total=len(p_ids),
        removed_comments=int(removed_comments),
    )


def _canonical_rows(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Each participant's rank when participants are sorted by their votes.

    A participant's key is the sequence of (comment, vote) pairs they cast,
    compared byte by byte: two participants tie only when they voted alike on
    the same comments, and then which of them comes first changes nothing.
    (Votes arrive sorted by row, then column.)
    """
    pairs = np.empty((len(rows), 2), dtype=">i4")
    pairs[:, 0] = cols
    pairs[:, 1] = values
    bounds = np.searchsorted(rows, np.arange(n + 1))
    flat = pairs.tobytes()
    keys = [flat[8 * bounds[i] : 8 * bounds[i + 1]] for i in range(n)]
    order = sorted(range(n), key=keys.__getitem__)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


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


def sample(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


# --- Projection -------------------------------------------------------------------------


def project(votes: Votes) -> tuple[np.ndarray, list[float]]:
    """2-D PCA of the mean-imputed vote matrix, Polis-scaled for sparse voters."""
    return Projection(votes)(votes.values)


class Projection:
    """``project`` of votes cast as these were (the same people on the same
    comments) with any values: what does not change is worked out once."""

    def __init__(self, votes: Votes) -> None:
        n_p, n_c = len(votes.participant_ids), len(votes.comment_ids)
        self.cols = votes.cols
        self.cast = np.bincount(votes.cols, minlength=n_c)
        # Votes come sorted by row, then column, one per pair: they are the
        # matrix's compressed rows as they stand.
        starts = np.searchsorted(votes.rows, np.arange(n_p + 1))
        self.centred = sparse.csr_matrix(
            (np.zeros(len(votes.cols), dtype=np.float32), votes.cols, starts), shape=(n_p, n_c)
        )
        # Polis' scaling: sqrt(comments / votes cast), where a removed comment is a
        # column of zeros that every participant counts as voted on.
        removed = votes.removed_comments
        per_participant = np.bincount(votes.rows, minlength=n_p)
        self.scale = np.sqrt((n_c + removed) / (per_participant + removed))

    def __call__(self, values: np.ndarray) -> tuple[np.ndarray, list[float]]:
        means = np.bincount(self.cols, weights=values, minlength=len(self.cast)) / self.cast
        centred = self.centred
        centred.data = (values - means[self.cols]).astype(np.float32)
        singular, axes = _top_axes(centred)
        total = float(np.square(centred.data, dtype=np.float64).sum())
        explained = (singular**2 / total) if total > 0 else np.zeros(2)
        coords = np.asarray(centred @ axes, dtype=np.float64) * self.scale[:, None]
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
