"""Opinion groups: the test against chance, the size floor, the same groups
whatever the participants' ids, Polis's group-informed consensus, and the
votes the groups are computed from."""

from __future__ import annotations

import json

import numpy as np
import pytest

from consult.analysis import group_chance
from consult.analysis.group_chance import choose
from consult.analysis.group_clusters import Splits, silhouette, weighted_kmeans
from consult.analysis.group_steps import considered_votes, project
from consult.analysis.groups import DEFAULT_THRESHOLDS, analyse, opinion_groups

AGREE, DISAGREE = 1, -1


def camps(sizes: tuple[int, ...], comments: int, flip: float, seed: int, first_id: int = 500):
    """Camps of the given sizes; camp c agrees with its own block of comments
    and disagrees with the others; a share `flip` of votes is flipped."""
    rng = np.random.default_rng(seed)
    block = comments // len(sizes)
    people, items, values = [], [], []
    person = first_id
    for camp, size in enumerate(sizes):
        for _ in range(size):
            for comment in range(comments):
                value = AGREE if comment // block == camp else DISAGREE
                if rng.random() < flip:
                    value = -value
                people.append(person)
                items.append(comment + 1)
                values.append(value)
            person += 1
    return np.array(people), np.array(items), np.array(values, dtype=np.int8)


def random_votes(participants: int, comments: int, seed: int, share: float = 0.8):
    """Each participant votes on a random share of the comments, agree,
    disagree or pass at random."""
    rng = np.random.default_rng(seed)
    cast = rng.random((participants, comments)) < share
    people, items = np.nonzero(cast)
    values = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=len(people))
    return people + 10_000, items + 1, values


# --- The test against chance -------------------------------------------------------------


def test_planted_camps_are_found_far_beyond_chance():
    result = opinion_groups(*camps((30, 20), comments=20, flip=0.15, seed=1))
    assert result["status"] == "ok"
    assert result["k"] == 2
    assert [g["size"] for g in result["groups"]] == [30, 20]
    test = result["significance"]
    assert test["shuffles"] == DEFAULT_THRESHOLDS["shuffles"] == 99
    # Not one reshuffle comes near: the p-value is the smallest 99 can give.
    assert test["as_clear"] == 0
    assert test["p_value"] == 0.01
    assert test["level"] == 0.05
    assert test["chance_highest"] < result["silhouette"]
    assert test["chance_mean"] < test["chance_highest"]


def test_three_planted_camps_give_three_groups_beyond_chance():
    result = opinion_groups(*camps((24, 18, 14), comments=24, flip=0.1, seed=2))
    assert result["status"] == "ok"
    assert result["k"] == 3
    assert [g["size"] for g in result["groups"]] == [24, 18, 14]
    assert result["significance"]["as_clear"] == 0


def test_random_votes_are_turned_down_with_the_reshuffles_as_clear_said():
    result = opinion_groups(*random_votes(80, 25, seed=4))
    assert result["status"] == "no_clear_groups"
    assert result["reason"] == "not_above_chance"
    test = result["significance"]
    assert test["p_value"] > test["level"]
    assert test["p_value"] == round((1 + test["as_clear"]) / (1 + test["shuffles"]), 4)
    assert result["groups"] == result["group_consensus"] == result["points"] == []


def test_false_positives_over_random_matrices_stay_near_the_level():
    """Forty random vote matrices of several shapes: at the 5% level about
    two should show groups by chance, and never many (the count over 100
    matrices is recorded in docs/benchmarks.md by bench/groups.py)."""
    shown = 0
    for seed in range(40):
        participants = (20, 40, 80, 150)[seed % 4]
        result = opinion_groups(*random_votes(participants, 20, seed=100 + seed), shuffles=19)
        assert result["status"] in ("ok", "no_clear_groups")
        shown += result["status"] == "ok"
    # Binomial(40, 0.05): 8 or more has probability under 0.3%.
    assert shown <= 7


def test_fewer_shuffles_can_be_asked_for_and_are_reported():
    result = opinion_groups(*camps((30, 20), comments=20, flip=0.15, seed=1), shuffles=19)
    assert result["significance"]["shuffles"] == 19
    assert result["significance"]["p_value"] == 0.05
    assert result["status"] == "ok"


# --- The size floor ----------------------------------------------------------------------


def test_a_k_no_reshuffle_could_split_tells_no_chance_figures(monkeypatch):
    # Three groups stand out; no reshuffle could be split into three above the
    # floor, so chance has no silhouette to tell for three: None, not 0.0.
    chance = np.full((19, 4), np.nan)
    chance[:, 0] = np.linspace(0.30, 0.34, 19)
    monkeypatch.setattr(group_chance, "reshuffled", lambda *args, **kwargs: chance)
    observed = Splits(
        labels={2: np.zeros(10, dtype=np.int64), 3: np.ones(10, dtype=np.int64)},
        silhouettes={2: 0.33, 3: 0.41},
        too_small=True,
    )
    votes = considered_votes(*camps((6, 6), comments=6, flip=0.0, seed=3), DEFAULT_THRESHOLDS)
    found = choose(votes, observed, 5, 0, shuffles=19, level=0.05)
    assert found.k == 3
    assert found.significance["as_clear"] == 0
    assert found.significance["p_value"] == 0.05
    names = ("chance_mean", "chance_sd", "chance_highest")
    figures = {key: found.significance[key] for key in names}
    assert figures == {"chance_mean": None, "chance_sd": None, "chance_highest": None}
    # A k the reshuffles could split keeps its figures.
    found = choose(votes, Splits(observed.labels, {2: 0.5}, False), 5, 0, shuffles=19, level=0.05)
    assert (found.k, found.significance["chance_highest"]) == (2, 0.34)


def test_a_lone_dissenter_is_not_a_group():
    """Forty people who agree on everything but one who disagrees with
    everything: no split leaves groups of five."""
    people, items, values = camps((40,), comments=12, flip=0.1, seed=3)
    loner = np.full(12, 99_999)
    people = np.concatenate([people, loner])
    items = np.concatenate([items, np.arange(1, 13)])
    values = np.concatenate([values, np.full(12, DISAGREE, dtype=np.int8)])
    result = opinion_groups(people, items, values)
    assert result["min_group_size"] == 5
    assert result["status"] == "no_clear_groups"
    assert all(group["size"] >= 5 for group in result["groups"])
    assert result["reason"] in ("small_groups", "not_above_chance")


def test_the_floor_is_the_larger_of_five_people_and_two_percent():
    result = opinion_groups(*camps((300, 200), comments=10, flip=0.1, seed=5), shuffles=19)
    assert result["min_group_size"] == 10  # 2% of 500
    assert min(group["size"] for group in result["groups"]) >= 10


def test_a_camp_under_the_floor_is_not_shown_on_its_own():
    # Camps of 30 and 4: the 4 are a clear camp, but too few to describe.
    result = opinion_groups(*camps((30, 4), comments=20, flip=0.05, seed=6))
    assert result["min_group_size"] == 5
    sizes = [group["size"] for group in result["groups"]]
    assert 4 not in sizes
    assert all(size >= 5 for size in sizes)


# --- The same groups whatever the ids -------------------------------------------------------


@pytest.mark.parametrize("name", ["camps", "random"])
def test_groups_are_identical_under_ten_permutations_of_participant_ids(name):
    if name == "camps":
        people, items, values = camps((26, 18, 10), comments=18, flip=0.2, seed=7)
    else:
        people, items, values = random_votes(60, 20, seed=8)
    base = analyse(people, items, values, shuffles=19)
    group_of = dict(
        zip(
            base.participant_ids.tolist(),
            (base.labels if base.labels is not None else []),
            strict=False,
        )
    )
    ids = np.unique(people)
    rng = np.random.default_rng(9)
    for _ in range(10):
        new_ids = rng.permutation(np.arange(1, len(ids) + 1) * 7919)
        renamed = new_ids[np.searchsorted(ids, people)]
        order = rng.permutation(len(values))
        again = analyse(renamed[order], items[order], values[order], shuffles=19)
        assert json.dumps(again.result) == json.dumps(base.result)
        if base.labels is not None:
            renamed_group = dict(
                zip(again.participant_ids.tolist(), again.labels.tolist(), strict=True)
            )
            for old, new in zip(ids.tolist(), new_ids.tolist(), strict=True):
                if old in group_of:
                    assert renamed_group[new] == group_of[old]


def test_participants_are_ordered_by_their_votes_not_their_ids():
    people, items, values = camps((6, 6), comments=8, flip=0.0, seed=0)
    votes = considered_votes(people, items, values, DEFAULT_THRESHOLDS)
    renamed = considered_votes(9_000 - people, items, values, DEFAULT_THRESHOLDS)
    assert np.array_equal(votes.rows, renamed.rows)
    assert np.array_equal(votes.values, renamed.values)
    assert np.array_equal(project(votes)[0], project(renamed)[0])


def test_two_votes_on_the_same_comment_by_one_person_are_refused():
    with pytest.raises(ValueError, match="one vote per participant and comment"):
        opinion_groups([1, 1], [5, 5], [1, -1])


# --- Polis's group-informed consensus ------------------------------------------------------


def test_group_informed_consensus_is_the_product_of_smoothed_shares():
    people, items, values = camps((20, 16), comments=10, flip=0.1, seed=10)
    # Comment 11: everybody agrees except three people of each camp.
    extra = np.unique(people)
    agree = np.ones(len(extra), dtype=np.int8)
    agree[[0, 1, 2, 20, 21, 22]] = DISAGREE
    result = opinion_groups(
        np.concatenate([people, extra]),
        np.concatenate([items, np.full(len(extra), 11)]),
        np.concatenate([values, agree]),
    )
    assert result["status"] == "ok"
    rows = result["group_consensus"]
    assert 0 < len(rows) <= 10
    top = rows[0]
    assert (top["comment"], top["direction"]) == (11, "agree")
    # Smoothed: (agree + 1) / (seen + 2) per group, groups largest first.
    assert top["shares"] == [round(18 / 22, 4), round(14 / 18, 4)]
    assert top["probability"] == round((18 / 22) * (14 / 18), 4)
    assert [row["probability"] for row in rows] == sorted(
        (row["probability"] for row in rows), reverse=True
    )


# --- Pieces --------------------------------------------------------------------------------


def test_removed_comments_only_temper_the_scaling_of_sparse_voters():
    people, items, values = camps((10, 10), comments=10, flip=0.1, seed=11)
    keep = (people % 3 != 0) | (items <= 7)  # a third of the people skip 3 comments
    votes = considered_votes(people[keep], items[keep], values[keep], DEFAULT_THRESHOLDS)
    removed = considered_votes(
        people[keep], items[keep], values[keep], DEFAULT_THRESHOLDS, removed_comments=5
    )
    plain, _ = project(votes)
    tempered, _ = project(removed)
    cast = np.bincount(votes.rows)
    expected = plain / np.sqrt(10 / cast)[:, None] * np.sqrt(15 / (cast + 5))[:, None]
    assert np.allclose(tempered, expected)
    full = cast == 10
    assert np.allclose(tempered[full], plain[full])


def test_weighted_kmeans_and_silhouette_agree_with_scikit_learn():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(12)
    points = np.concatenate([rng.normal(0, 1, (40, 2)), rng.normal(6, 1, (30, 2))])
    labels = weighted_kmeans(points, np.ones(70), 2, np.random.default_rng(0))
    assert sorted(np.bincount(labels).tolist()) == [30, 40]
    distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    assert silhouette(distances, np.ones(70), labels, 2) == pytest.approx(
        silhouette_score(points, labels)
    )
    # Weights stand for repeated points: the same silhouette as the repeated set.
    twice = np.concatenate([points, points[:10]])
    weights = np.ones(70)
    weights[:10] = 2
    repeated = np.concatenate([labels, labels[:10]])
    assert silhouette(distances, weights, labels, 2) == pytest.approx(
        silhouette_score(twice, repeated)
    )


def test_sets_clustered_side_by_side_get_the_splits_they_get_alone():
    from consult.analysis.group_clusters import splits, splits_of_many

    rng = np.random.default_rng(3)
    sets = [
        np.concatenate([rng.normal(0, 1, (n, 2)), rng.normal(5, 1, (n // 2, 2))])
        for n in (30, 30, 30, 12, 30)
    ]
    sets.append(np.repeat(sets[0][:10], 3, axis=0))  # repeated points: 10 distinct, weighted
    together = splits_of_many(sets, 3, 7)
    for points, found in zip(sets, together, strict=True):
        alone = splits(points, 3, 7)
        assert found.silhouettes == alone.silhouettes
        assert found.too_small == alone.too_small
        assert found.labels.keys() == alone.labels.keys()
        for k in found.labels:
            assert np.array_equal(found.labels[k], alone.labels[k])
    assert len(together[0].silhouettes) >= 2
