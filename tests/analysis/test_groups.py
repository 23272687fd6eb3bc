"""Opinion groups on planted vote matrices, checked by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from consult.analysis.groups import analyse, opinion_groups

# Large, distinctive participant ids: none of them may appear in a result.
BASE_ID = 913_570_000
AGREE, DISAGREE, PASS = 1, -1, 0

# Two camps: A (22 people) agrees with comments 1-10 and disagrees with 11-20,
# B (18 people) the reverse; everybody agrees with 21-25. A little noise, listed
# so that every figure below can be counted by hand.
CAMP_A = range(0, 22)
CAMP_B = range(22, 40)
FLIPPED = {(0, 1), (25, 1), (3, 12), (30, 15), (10, 21)}
PASSED = {(3, 1), (31, 12), (12, 22)}
MISSING = {(7, 1), (33, 2), (14, 23)}
CONSENSUS = [21, 22, 23, 24, 25]


def two_camps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    votes = []
    for person in range(40):
        a = person in CAMP_A
        for comment in range(1, 26):
            if (person, comment) in MISSING:
                continue
            own_side = comment in CONSENSUS or (comment <= 10) == a
            value = AGREE if own_side else DISAGREE
            if (person, comment) in FLIPPED:
                value = -value
            if (person, comment) in PASSED:
                value = PASS
            votes.append((BASE_ID + 7 * person, comment, value))
    return as_arrays(votes)


def three_camps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camps of 20, 16 and 12; camp c agrees with comments 8c+1..8c+8 and
    disagrees with the rest; every 13th vote is flipped."""
    sizes = (20, 16, 12)
    votes = []
    person = 0
    for camp, size in enumerate(sizes):
        for _ in range(size):
            for comment in range(1, 25):
                value = AGREE if (comment - 1) // 8 == camp else DISAGREE
                if (person * 24 + comment) % 13 == 0:
                    value = -value
                votes.append((BASE_ID + person, comment, value))
            person += 1
    return as_arrays(votes)


def as_arrays(votes: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    people, comments, values = zip(*votes, strict=True)
    return np.array(people), np.array(comments), np.array(values, dtype=np.int8)


def camp_of(participant_id: int) -> str:
    return "A" if (participant_id - BASE_ID) // 7 in CAMP_A else "B"


def camp_stance(camp: str, comment: int) -> str:
    return "agree" if (comment <= 10) == (camp == "A") else "disagree"


@pytest.fixture(scope="module")
def planted():
    return analyse(*two_camps())


def test_two_camps_give_two_groups_of_the_camps_sizes(planted):
    result = planted.result
    assert result["status"] == "ok"
    assert result["reason"] is None
    assert result["k"] == 2
    assert [g["size"] for g in result["groups"]] == [22, 18]
    assert [g["id"] for g in result["groups"]] == [0, 1]
    assert result["silhouette"] >= 0.5
    assert result["participants"] == 40
    assert result["participants_considered"] == 40
    assert result["comments_considered"] == 25
    assert result["votes_considered"] == 40 * 25 - len(MISSING)


def test_groups_are_exactly_the_camps(planted):
    members = {0: set(), 1: set()}
    for pid, label in zip(planted.participant_ids, planted.labels, strict=True):
        members[int(label)].add(camp_of(int(pid)))
    assert members == {0: {"A"}, 1: {"B"}}


def test_distinctive_comments_are_the_groups_own_side(planted):
    a, b = planted.result["groups"]
    for group, camp in ((a, "A"), (b, "B")):
        assert len(group["distinctive"]) == 5
        for entry in group["distinctive"]:
            assert 1 <= entry["comment"] <= 20
            assert entry["direction"] == camp_stance(camp, entry["comment"])
    # Clean comments score alike; ties go to the lower id.
    assert [e["comment"] for e in a["distinctive"]] == [3, 4, 5, 6, 7]
    assert [e["direction"] for e in b["distinctive"]] == ["disagree"] * 5


def test_distinctive_figures_by_hand(planted):
    entry = planted.result["groups"][0]["distinctive"][0]
    # Comment 3: all 22 of camp A agree, all 18 of camp B disagree.
    # share = (22 + 1) / (22 + 2); others = (0 + 1) / (18 + 2);
    # ratio = 19.1667; z_two = (23/23 - 1/19) / sqrt(24/42 * 18/42 * (1/23 + 1/19)) = 6.1751;
    # z_one = 2 * sqrt(23) * (23/23 - 0.5) = 4.7958; score = 19.1667 * 6.1751 * 0.9583 * 4.7958.
    assert entry == {
        "comment": 3,
        "direction": "agree",
        "agree": 22,
        "disagree": 0,
        "pass": 0,
        "seen": 22,
        "share": 0.9583,
        "others_share": 0.05,
        "score": 543.9632,
    }


def test_consensus_is_exactly_the_planted_consensus(planted):
    consensus = planted.result["consensus"]
    assert {c["comment"] for c in consensus} == set(CONSENSUS)
    assert all(c["direction"] == "agree" for c in consensus)
    # 24 and 25 are clean: A (22 + 1) / 24 = 0.9583, B (18 + 1) / 20 = 0.95, product 0.9104.
    # 23 misses one A vote: 22 / 23 = 0.9565 -> 0.9087. 21 (one A disagrees) and
    # 22 (one A passes) have A at 22 / 24 = 0.9167 -> 0.8708.
    assert [(c["comment"], c["shares"], c["score"]) for c in consensus] == [
        (24, [0.9583, 0.95], 0.9104),
        (25, [0.9583, 0.95], 0.9104),
        (23, [0.9565, 0.95], 0.9087),
        (21, [0.9167, 0.95], 0.8708),
        (22, [0.9167, 0.95], 0.8708),
    ]


def test_divisive_are_the_clean_camp_comments(planted):
    divisive = planted.result["divisive"]
    # Clean camp comments spread 23/24 - 1/20 = 0.9083; the noisy 1, 2, 12
    # and 15 spread less, and the consensus comments hardly at all.
    assert [d["comment"] for d in divisive] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert divisive[0] == {"comment": 3, "shares": [0.9583, 0.05], "spread": 0.9083}
    assert divisive[-1] == {"comment": 13, "shares": [0.0417, 0.95], "spread": 0.9083}


def test_points_show_everyone_in_their_group_without_ids(planted):
    points = planted.result["points"]
    assert len(points) == 40
    assert [p[2] for p in points] == [0] * 22 + [1] * 18
    assert points == sorted(points, key=lambda p: (p[2], p[0], p[1]))
    a, b = planted.result["groups"]
    # The two centres sit on opposite sides of the first axis.
    assert a["centre"][0] * b["centre"][0] < 0


def test_no_participant_id_in_the_result(planted):
    dump = json.dumps(planted.result)
    for pid in planted.participant_ids:
        assert str(int(pid)) not in dump
    assert str(BASE_ID // 1000) not in dump


def test_shuffled_votes_give_the_identical_result(planted):
    people, comments, values = two_camps()
    order = np.random.default_rng(5).permutation(len(values))
    shuffled = opinion_groups(people[order], comments[order], values[order])
    assert shuffled == planted.result
    assert json.dumps(shuffled) == json.dumps(planted.result)


def test_three_camps_give_three_groups():
    analysis = analyse(*three_camps())
    result = analysis.result
    assert result["status"] == "ok"
    assert result["k"] == 3
    assert [g["size"] for g in result["groups"]] == [20, 16, 12]
    camp = np.repeat([0, 1, 2], (20, 16, 12))  # participants were numbered camp by camp
    group_of = dict(zip(analysis.participant_ids.tolist(), analysis.labels.tolist(), strict=True))
    assert [group_of[BASE_ID + person] for person in range(48)] == camp.tolist()
    for group in result["groups"]:
        # Each group's strongest mark is agreeing with its own block of comments.
        top = group["distinctive"][0]
        assert top["direction"] == "agree"
        assert (top["comment"] - 1) // 8 == group["id"]


def test_too_few_participants_say_so():
    people, comments, values = two_camps()
    few = people < BASE_ID + 7 * 11  # the first 11 participants
    result = opinion_groups(people[few], comments[few], values[few])
    assert result["status"] == "too_few_votes"
    assert result["reason"] == "too_few_participants"
    assert result["participants"] == 11
    assert result["participants_considered"] == 11
    assert result["k"] is None
    assert result["silhouette"] is None
    assert result["groups"] == result["consensus"] == result["divisive"] == []
    assert result["points"] == []


def test_thin_voters_and_comments_are_left_out():
    people, comments, values = two_camps()
    # Participant 0 keeps six votes (below seven); comment 26 gets two voters.
    keep = (people != BASE_ID) | (comments <= 6)
    extra_people = np.array([BASE_ID + 7, BASE_ID + 14])
    people = np.concatenate([people[keep], extra_people])
    comments = np.concatenate([comments[keep], [26, 26]])
    values = np.concatenate([values[keep], np.array([1, 1], dtype=np.int8)])
    result = opinion_groups(people, comments, values)
    assert result["participants"] == 40
    assert result["participants_considered"] == 39
    assert result["comments_considered"] == 25
    assert result["votes_considered"] == 40 * 25 - len(MISSING) - 25
    assert [g["size"] for g in result["groups"]] == [21, 18]


def test_too_few_comments_say_so():
    people, comments, values = two_camps()
    two = comments <= 2
    result = opinion_groups(people[two], comments[two], values[two])
    assert result["status"] == "too_few_votes"
    assert result["reason"] == "too_few_comments"
    assert result["comments_considered"] == 2
    assert result["groups"] == []


def test_uniform_random_votes_show_no_groups():
    rng = np.random.default_rng(11)
    people = np.repeat(np.arange(60), 30) + BASE_ID
    comments = np.tile(np.arange(1, 31), 60)
    values = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=len(people))
    result = opinion_groups(people, comments, values)
    assert result["status"] == "no_clear_groups"
    # k-means still finds a silhouette well above the floor in noise; it is the
    # comparison with the shuffled votes that turns it down.
    assert result["reason"] == "not_above_chance"
    assert result["silhouette"] > 0.25
    assert result["k"] is None
    assert result["groups"] == result["points"] == result["consensus"] == []


def test_a_demanding_silhouette_floor_turns_clear_camps_down():
    result = opinion_groups(*two_camps(), min_silhouette=0.99)
    assert result["status"] == "no_clear_groups"
    assert result["reason"] == "low_silhouette"
    assert result["groups"] == []


def test_identical_votes_show_no_groups():
    people = np.repeat(np.arange(15), 5) + BASE_ID
    comments = np.tile(np.arange(1, 6), 15)
    values = np.ones(len(people), dtype=np.int8)
    result = opinion_groups(people, comments, values)
    assert result["status"] == "no_clear_groups"
    assert result["reason"] == "no_variation"


def test_points_are_a_sample_of_two_thousand():
    rng = np.random.default_rng(3)
    n, m = 2500, 12
    camp = np.arange(n) % 2
    people = np.repeat(np.arange(n), m) + BASE_ID
    comments = np.tile(np.arange(1, m + 1), n)
    side = np.where(comments <= 6, 1, -1) * np.where(camp[people - BASE_ID] == 0, 1, -1)
    values = np.where(rng.random(len(people)) < 0.9, side, -side).astype(np.int8)
    # 19 reshuffles, the fewest that can reach the 5% level: this test is about the points.
    result = opinion_groups(people, comments, values, shuffles=19)
    assert result["status"] == "ok"
    # A tenth of the votes flipped leaves a few people on the other side.
    sizes = [g["size"] for g in result["groups"]]
    assert sum(sizes) == 2500
    assert min(sizes) > 1200
    assert len(result["points"]) == 2000
    assert result == opinion_groups(people[::-1], comments[::-1], values[::-1], shuffles=19)


def test_unknown_threshold_is_refused():
    with pytest.raises(TypeError, match="min_votes"):
        opinion_groups(*two_camps(), min_votes=3)


def test_no_votes_at_all_say_so():
    empty = np.array([], dtype=np.int64)
    result = opinion_groups(empty, empty, empty.astype(np.int8))
    assert result["status"] == "too_few_votes"
    assert result["participants"] == result["votes_considered"] == 0


def test_a_vote_that_is_not_agree_disagree_or_pass_is_refused():
    with pytest.raises(ValueError, match="values must be"):
        opinion_groups([1, 2], [1, 1], [1, 256])
