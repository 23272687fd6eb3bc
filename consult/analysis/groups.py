"""Opinion groups in the manner of Polis, from agree/disagree/pass votes on comments.

The method follows Polis (pol.is, compdemocracy/polis, ``math/``); where it
departs, docs/opinion-groups.md says why and what was measured.

1. A participant x comment matrix of votes: +1 agree, -1 disagree, 0 pass.
   Comments with fewer than ``min_voters_per_comment`` voters and
   participants with fewer than ``min_votes_per_participant`` votes (capped
   to the number of comments left) are dropped, repeatedly, until both hold.
   Participants are then put in an order given by their votes alone, so
   that nothing below depends on their ids or on the order rows arrive in.
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
   Comments that moderators removed (``removed_comments``) count, as in
   Polis, as columns of zeros that everyone voted on: they add nothing to the
   axes and temper the scaling of sparse voters.
4. For k = 2..5 the points are split by weighted k-means (the lowest inertia
   of several k-means++ starts) and each split is scored by its silhouette;
   a split that leaves a group under ``min_group_size`` people (the larger
   of that and ``min_group_share`` of those considered) is not allowed.
5. The test against chance (consult.analysis.group_chance): the same votes
   are reshuffled ``shuffles`` times, each comment's votes dealt out again
   among the people who voted on it (every comment keeps its tally, every
   participant the number of votes they cast), and put through steps 2-4.
   The k shown is the one whose silhouette stands furthest above its mean
   over the reshuffles (the gap); the groups are shown when the Monte Carlo
   p-value of that largest gap, ``(1 + as_clear) / (1 + shuffles)``, is at
   most ``level``. Groups are numbered by size, largest first, then by the
   position of their centre.
6. Per group and comment, shares are Laplace-smoothed as in Polis:
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
   - *Consensus*: comments that every group agrees with (or every group
     disagrees with), each group's smoothed share being at least
     ``consensus_share`` with at least ``min_group_voters`` voters in it;
     ranked by the product of the shares.
   - *Group-informed consensus* (Polis's own): for every comment with at
     least ``min_group_voters`` voters in each group, the product over groups
     of the smoothed share agreeing (and, separately, disagreeing); the 10
     highest, so that there is something to show where no comment reaches
     ``consensus_share`` in every group.
   - *Divisive*: comments whose smoothed agree share differs most between
     groups (``spread`` = highest minus lowest), with at least
     ``min_group_voters`` voters in every group and a spread of at least
     ``min_spread``.

When the votes cannot carry groups the result says so instead of drawing
noise, with empty ``groups``, ``consensus``, ``group_consensus``,
``divisive`` and ``points``:

- ``"too_few_votes"``, reason ``"too_few_comments"`` or
  ``"too_few_participants"``: fewer than ``min_comments`` or
  ``min_participants`` left after the thresholds (``k``, ``silhouette`` and
  ``significance`` are None, ``explained_variance`` is empty);
- ``"no_clear_groups"``, reason ``"no_variation"`` (everyone sits on the same
  point), ``"small_groups"`` (every split leaves a group under the floor),
  ``"low_silhouette"`` (the best silhouette is below ``min_silhouette``) or
  ``"not_above_chance"`` (the test above: ``significance`` says how many
  reshuffles were as clear). ``k`` is None.

``significance`` is ``{shuffles, as_clear, p_value, level, chance_mean,
chance_sd, chance_highest}``, the last three describing the reshuffles'
silhouettes for the k shown.

The result holds no participant id: only counts, comment ids and anonymous
2-D points (a fixed sample of at most 2,000, ordered by group and position).
The same votes give the same dict, byte for byte, whatever the participants'
ids and whatever order the votes come in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from consult.analysis.group_chance import choose
from consult.analysis.group_clusters import relabel, splits
from consult.analysis.group_description import describe
from consult.analysis.group_steps import Votes, considered_votes, project, rounded
from consult.analysis.inputs import Inputs

DEFAULT_THRESHOLDS: dict[str, float] = {
    "min_votes_per_participant": 7,
    "min_voters_per_comment": 3,
    "min_participants": 12,
    "min_comments": 3,
    # Kaufman and Rousseeuw read a silhouette of 0.25 or less as "no
    # substantial structure"; that is the floor, below any test.
    "min_silhouette": 0.25,
    # The smallest group shown: 5 people and 2% of those considered. A group
    # of fewer than five describes individuals' votes, not a shared view (the
    # same floor official statistics use for small counts); the share keeps a
    # handful of outliers in a large conversation from reading as a camp.
    # Polis's own groups in the shared conversations are 3.8% of their
    # participants and more.
    "min_group_size": 5,
    "min_group_share": 0.02,
    # The test against chance: the groups must be clearer than all but a
    # `level` share of `shuffles` reshufflings of the same votes (p-values
    # down to 0.01). Above `many_votes` votes a reshuffle costs about a second
    # (a million votes: the projection of votes without structure is the
    # slow part) and chance varies little (its silhouettes' standard
    # deviation was 0.007 at 50,000 votes), so `shuffles_many` = 19, the
    # fewest with which p can reach the level: the groups must then be
    # clearer than every reshuffle. That keeps the summary of a million votes
    # within its minute.
    "shuffles": 99,
    "shuffles_many": 19,
    "many_votes": 200_000,
    "level": 0.05,
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
REASON_SMALL_GROUPS = "small_groups"
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
    removed_comments: int = 0,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
    processes: int | None = None,
    **thresholds: float,
) -> dict[str, Any]:
    """Opinion groups, their distinctive comments, consensus and divisive comments.

    One vote per (participant, comment) pair: ``values`` is +1 agree, -1
    disagree, 0 pass. ``removed_comments`` counts comments that moderators
    removed after people voted on them. ``thresholds`` override
    DEFAULT_THRESHOLDS by name. ``progress`` is told the share done (0-1).
    ``processes`` is how many processes the test's reshuffles may be shared
    among (None: one per processor); the result is the same whatever it is.
    """
    return analyse(
        participants,
        comments,
        values,
        removed_comments=removed_comments,
        seed=seed,
        progress=progress,
        processes=processes,
        **thresholds,
    ).result


def opinion_groups_with_members(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    removed_comments: int = 0,
    seed: int = 0,
    **thresholds: float,
) -> Analysis:
    """opinion_groups, with the group label of each participant considered."""
    return analyse(
        participants, comments, values, removed_comments=removed_comments, seed=seed, **thresholds
    )


def others_votes(
    comment_id: np.ndarray,
    comment_author: np.ndarray,
    vote_comment: np.ndarray,
    vote_user: np.ndarray,
    vote_value: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The votes the groups are computed from: every vote on the comments
    given except an author's own (which Polis counts as an automatic agree;
    docs/opinion-groups.md says why not here). Every voted comment must be
    among ``comment_id``, which is sorted."""
    comment_author = np.asarray(comment_author, dtype=np.int64)
    vote_user = np.asarray(vote_user, dtype=np.int64)
    at = np.searchsorted(np.asarray(comment_id, dtype=np.int64), vote_comment)
    others = comment_author[at] != vote_user
    return vote_user[others], np.asarray(vote_comment)[others], np.asarray(vote_value)[others]


def summary_votes(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """others_votes of a consultation's summary inputs."""
    return others_votes(
        inputs.comment_id,
        inputs.comment_author,
        inputs.vote_comment,
        inputs.vote_user,
        inputs.vote_value,
    )


def analyse(
    participants: np.ndarray,
    comments: np.ndarray,
    values: np.ndarray,
    *,
    removed_comments: int = 0,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
    processes: int | None = None,
    **thresholds: float,
) -> Analysis:
    th = _thresholds(thresholds)
    votes = considered_votes(participants, comments, values, th, removed_comments=removed_comments)
    progress(0.1)
    # One thread: on a busy machine (the summary runs beside the site), k-means
    # with two OpenMP threads waiting on each other took 24-64 times as long
    # as with one; one thread also fixes the order of every sum.
    with threadpool_limits(limits=1):
        analysis = _analyse_votes(votes, th, seed, progress, processes)
    progress(1.0)
    return analysis


def _analyse_votes(
    votes: Votes,
    th: dict[str, float],
    seed: int,
    progress: Callable[[float], None] = lambda fraction: None,
    processes: int | None = None,
) -> Analysis:
    counts = _counts(votes, th)
    n_comments, n_participants = len(votes.comment_ids), len(votes.participant_ids)
    if n_comments < max(th["min_comments"], 2):
        return _without_groups(votes, STATUS_TOO_FEW_VOTES, REASON_TOO_FEW_COMMENTS, counts)
    if n_participants < max(th["min_participants"], 3):
        return _without_groups(votes, STATUS_TOO_FEW_VOTES, REASON_TOO_FEW_PARTICIPANTS, counts)
    coords, explained = project(votes)
    progress(0.2)
    counts["explained_variance"] = [rounded(x) for x in explained]
    min_size = counts["min_group_size"]
    found = splits(coords, min_size, seed)
    progress(0.3)
    if not found.silhouettes:
        reason = REASON_SMALL_GROUPS if found.too_small else REASON_NO_VARIATION
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, reason, counts)
    if max(found.silhouettes.values()) < th["min_silhouette"]:
        counts["silhouette"] = rounded(max(found.silhouettes.values()))
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_LOW_SILHOUETTE, counts)
    choice = choose(
        votes,
        found,
        min_size,
        seed,
        shuffles=int(th["shuffles" if len(votes.values) <= th["many_votes"] else "shuffles_many"]),
        level=th["level"],
        progress=lambda fraction: progress(0.3 + 0.6 * fraction),
        processes=processes,
    )
    k = choice.k
    counts["silhouette"] = rounded(choice.silhouette)
    counts["significance"] = choice.significance
    if choice.significance["p_value"] > th["level"]:
        return _without_groups(votes, STATUS_NO_CLEAR_GROUPS, REASON_CHANCE, counts)
    labels = relabel(choice.labels, k, coords)
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


def _counts(votes: Votes, th: dict[str, float]) -> dict[str, Any]:
    considered = len(votes.participant_ids)
    return {
        "participants": votes.participants_total,
        "participants_considered": considered,
        "comments_considered": len(votes.comment_ids),
        "votes_considered": len(votes.values),
        "min_group_size": max(
            int(th["min_group_size"]), int(np.ceil(th["min_group_share"] * considered))
        ),
        "k": None,
        "silhouette": None,
        "significance": None,
        "explained_variance": [],
    }


def _without_groups(votes: Votes, status: str, reason: str, counts: dict) -> Analysis:
    result = {
        "status": status,
        "reason": reason,
        **counts,
        "groups": [],
        "consensus": [],
        "group_consensus": [],
        "divisive": [],
        "points": [],
    }
    return Analysis(_ordered(result), votes.participant_ids, None)


_KEY_ORDER = (
    "status", "reason", "participants", "participants_considered", "comments_considered",
    "votes_considered", "min_group_size", "k", "silhouette", "significance",
    "explained_variance", "groups", "consensus", "group_consensus", "divisive", "points",
)  # fmt: skip


def _ordered(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result[key] for key in _KEY_ORDER}
