"""What each opinion group stands for (consult.analysis.groups says why):
its distinctive comments, the comments every group agrees on, Polis's
group-informed consensus, the divisive comments, and the anonymous points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from consult.analysis.group_steps import Votes, rounded, sample

Z_90 = 1.2816  # one-sided 90%, as Polis' `z-sig-90?`
MAX_POINTS = 2000
DISTINCTIVE_TOP = 5
CONSENSUS_TOP = 10
DIVISIVE_TOP = 10


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
        "group_consensus": _group_consensus(tally, votes.comment_ids, th),
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
    """Comments every group agrees (or disagrees) with, each at consensus_share or more."""
    return _products(tally, comment_ids, th, floor=th["consensus_share"], key="score")


def _group_consensus(tally: _Tally, comment_ids: np.ndarray, th: dict) -> list[dict[str, Any]]:
    """Polis' group-informed consensus: the product over groups of each
    group's smoothed share, for agree and for disagree, highest first."""
    return _products(tally, comment_ids, th, floor=0.0, key="probability")


def _products(
    tally: _Tally, comment_ids: np.ndarray, th: dict, *, floor: float, key: str
) -> list[dict[str, Any]]:
    """The CONSENSUS_TOP comments and directions with the highest product of
    the groups' smoothed shares, every group having min_group_voters voters
    and a share of at least `floor`."""
    seen = tally.seen
    enough = (seen >= th["min_group_voters"]).all(axis=0)
    found = []
    for direction, hits in (("agree", tally.agree), ("disagree", tally.disagree)):
        shares = _smoothed(hits, seen)
        product = np.round(shares.prod(axis=0), 4)
        chosen = np.flatnonzero(enough & (shares >= floor).all(axis=0))
        # The best of this direction by the rounded figure shown, ties by comment id.
        best = chosen[np.lexsort((comment_ids[chosen], -product[chosen]))][:CONSENSUS_TOP]
        found += [(direction, shares, product, c) for c in best]
    rows = []
    for direction, shares, product, c in found:
        row = {"comment": int(comment_ids[c]), "direction": direction}
        listed = [rounded(x) for x in shares[:, c]]
        if key == "score":  # "every group agrees" has always listed the shares first
            rows.append({**row, "shares": listed, "score": float(product[c])})
        else:
            rows.append({**row, key: float(product[c]), "shares": listed})
    return _top(rows, key, CONSENSUS_TOP)


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
    chosen = sample(len(coords), MAX_POINTS, seed)
    rounded = np.round(coords[chosen], 4)
    order = np.lexsort((rounded[:, 1], rounded[:, 0], labels[chosen]))
    return [[float(rounded[i, 0]), float(rounded[i, 1]), int(labels[chosen][i])] for i in order]
