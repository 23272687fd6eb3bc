"""bench/polis_fidelity.py's own parts: the comparison with Polis's groups,
who each side leaves out, and the checks that stop it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "polis_fidelity.py"
_spec = importlib.util.spec_from_file_location("polis_fidelity", BENCH)
fidelity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fidelity)

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1500000000000,x,0,10,0,0,1,Shown.\n"
    "1500000001000,x,1,11,0,0,0,Not yet moderated: shown too.\n"
    "1500000002000,x,2,10,0,0,-1,Removed by a moderator.\n"
)
VOTES = (
    "timestamp,datetime,comment-id,voter-id,vote\n"
    "1500000100000,x,0,1,1\n"
    "1500000200000,x,0,1,-1\n"  # replaces the line above
    "1500000100000,x,0,10,1\n"  # the author's own
    "1500000100000,x,2,2,1\n"  # on the removed comment: stored, as Polis counts it
    "1500000100000,x,1,2,-1\n"
    "1500000100000,x,1,3,0\n"
    "1500000100000,x,1,3,1\n"  # the same time: the later line counts
)
PARTICIPANTS = (
    "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
    "1,0,0,1,0,1,-1,,\n2,,0,2,1,1,,-1,1\n3,1,0,1,0,0,,0,\n10,1,2,1,1,0,1,,\n"
)


@pytest.fixture
def export(tmp_path) -> Path:
    folder = tmp_path / "conversation"
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS)
    (folder / "votes.csv").write_text(VOTES)
    (folder / "participants-votes.csv").write_text(PARTICIPANTS)
    return folder


def test_agreement_is_over_participants_both_sides_group():
    """Group names do not matter; who is grouped by one side only is counted, not compared."""
    polis = {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    ours = {2: 7, 3: 4, 4: 4, 5: 4, 6: 7}
    found = fidelity.agreement(polis, ours)
    assert found == {"compared": 4, "ari": 1.0, "ami": 1.0, "polis_only": 1, "side_only": 1}


def test_no_groups_count_as_one_group_and_score_zero():
    polis = {1: 0, 2: 0, 3: 1, 4: 1}
    ours = fidelity.side_labels([101, 102, 103], None, {101: 1, 102: 2, 103: 3})
    assert ours == {1: 0, 2: 0, 3: 0}
    found = fidelity.agreement(polis, ours)
    assert (found["ari"], found["ami"], found["polis_only"]) == (0.0, 0.0, 1)


def test_a_participant_without_a_polis_number_stops_the_benchmark():
    with pytest.raises(fidelity.CheckFailed, match="map to no Polis participant"):
        fidelity.side_labels([101, 999], [0, 1], {101: 1})


def test_nothing_compared_gives_no_figures():
    found = fidelity.agreement({1: 0}, {2: 0})
    assert (found["ari"], found["ami"], found["compared"]) == (None, None, 0)
    assert fidelity.mean([None, 0.5, 1.0]) == 0.75


def test_polis_groups_leave_out_empty_group_ids(export):
    assert fidelity.polis_groups(export) == (4, {1: 0, 3: 1, 10: 1})


def test_expected_import_follows_polis_rules(export):
    assert fidelity.expected_import(export) == {
        "rows": 7,
        "stored": 4,
        "skipped": {"own_comment": 1, "superseded": 2},
        "values": {-1: 2, 1: 2},
        "comments": 3,
        "hidden": 1,
    }


@pytest.mark.django_db
def test_the_importer_account_matches_the_files(export, tree):
    """The author who voted only on their own comment is no voter of the archive."""
    proposal, _seconds = fidelity.import_checked(export, tree.city_office)
    assert sorted(fidelity.participant_numbers(proposal).values()) == [1, 2, 3]


@pytest.mark.django_db
def test_the_votes_on_a_removed_comment_are_stored(export, tree):
    from discussion.models import CommentVote

    proposal, _seconds = fidelity.import_checked(export, tree.city_office)
    on_removed = CommentVote.objects.filter(
        comment__proposal=proposal, comment__hidden_at__isnull=False
    )
    assert list(on_removed.values_list("user__display_name", "value")) == [
        ("Polis participant 2", "agree")
    ]


@pytest.mark.django_db
def test_an_import_that_loses_votes_stops_the_benchmark(export, tree):
    with (export / "votes.csv").open("a") as file:
        file.write("1500000100000,x,1,not-a-number,1\n")
    with pytest.raises(fidelity.CheckFailed, match=r"importer's account of votes\.csv"):
        fidelity.import_checked(export, tree.city_office)


def test_a_failed_red_dwarf_run_stops_the_benchmark(tmp_path):
    with pytest.raises(fidelity.CheckFailed, match="red-dwarf failed"):
        fidelity.reddwarf_side(tmp_path / "missing", Path(sys.executable))


def _row(name: str, polis_k: int, ours_k: int | None, p_value: float) -> dict:
    test = {"k": polis_k, "silhouette": 0.4, "chance_mean": 0.3, "p_value": p_value, "level": 0.05}
    return {
        "conversation": name,
        "polis": {"k": polis_k, "against_chance": test},
        "ours": {"k": ours_k},
    }


def test_a_different_group_count_matters_only_where_polis_groups_beat_chance():
    rows = [
        _row("same count", 2, 2, 0.01),
        _row("fewer, Polis beyond chance", 4, 2, 0.01),
        _row("fewer, Polis not beyond chance", 4, 2, 1.0),
        _row("none shown, Polis beyond chance", 2, None, 0.05),
    ]
    assert fidelity.count_matches(rows) == [
        "fewer, Polis beyond chance",
        "none shown, Polis beyond chance",
    ]
    assert fidelity._against_chance(rows[2]["polis"]["against_chance"]) == (
        "0.40 / 0.30 / 1.00 (not beyond chance)"
    )
