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
from typing import Any, NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from consult.analysis.group_steps import (
    Votes,
    chance_silhouette,
    cluster,
    considered_votes,
    describe,
    project,
    relabel,
    rounded,
)

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
    return analyse(
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
    return analyse(participants, comments, values, seed=seed, **thresholds)


def analyse(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
    **thresholds: float,
) -> Analysis:
    th = _thresholds(thresholds)
    votes = considered_votes(participants, comments, values, th)
    progress(0.1)
    # One thread: on a busy machine (the summary runs beside the site), k-means
    # with two OpenMP threads waiting on each other took 24-64 times as long
    # as with one; one thread also fixes the order of every sum.
    with threadpool_limits(limits=1):
        analysis = _analyse_votes(votes, th, seed, progress)
    progress(1.0)
    return analysis


def _analyse_votes(
    votes: Votes,
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
    coords, explained = project(votes)
    progress(0.3)
    counts["explained_variance"] = [rounded(x) for x in explained]
    best = cluster(coords, seed)
    progress(0.7)
    if best is None:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_NO_VARIATION, counts)
    k, labels, silhouette = best
    counts["silhouette"] = rounded(silhouette)
    if silhouette < th["min_silhouette"]:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_LOW_SILHOUETTE, counts)
    if silhouette < chance_silhouette(votes, seed) + th["min_silhouette_gain"]:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_CHANCE, counts)
    labels = relabel(labels, k)
    result = {
        "status": STATUS_OK,
        "reason": None,
        **counts,
        "k": k,
        **describe(votes, coords, labels, k, th, seed),
    }
    return Analysis(_ordered(result), votes.participant_ids, labels)


def _thresholds(overrides: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(overrides) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise TypeError(f"unknown thresholds: {', '.join(unknown)}")
    return {**DEFAULT_THRESHOLDS, **overrides}


def _counts(votes: Votes) -> dict[str, Any]:
    return {
        "participants": votes.participants_total,
        "participants_considered": len(votes.participant_ids),
        "comments_considered": len(votes.comment_ids),
        "votes_considered": len(votes.values),
        "k": None,
        "silhouette": None,
        "explained_variance": [],
    }


def _without_groups(votes: Votes, status: str, reason: str, counts: dict) -> Analysis:
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
