"""The export's group-id column and summary.csv's groups say what the summary
the official sees says: its groups, with their members, when it shows some;
0 groups and every group-id empty when it shows none, as Polis writes a
conversation without groups."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from consult.analysis import groups as group_analysis
from consult.opendata.polis import export
from consult.opendata.polis.export import export_files
from discussion.comments import services as discussion_services
from discussion.models import CommentVote
from tests.opendata.polis.conftest import groups_of, read_csv, run_summary

pytestmark = pytest.mark.django_db


def exported_groups(proposal) -> tuple[list[str], dict[str, str]]:
    """Each voter's group-id cell, in voter order, and summary.csv."""
    files = export_files(proposal)
    rows = read_csv(files["participants-votes.csv"])[1:]
    return [row[1] for row in rows], dict(read_csv(files["summary.csv"]))


def voted(proposal, make_user, *, voters: int, comments: int, value) -> None:
    """`voters` people vote `value(person, comment)` on `comments` comments by one author."""
    author = make_user(display_name="Author")
    made = [
        discussion_services.comment_create(actor=author, proposal=proposal, body=f"Point {i}.")
        for i in range(comments)
    ]
    people = [make_user(display_name=f"Voter {i}") for i in range(voters)]
    CommentVote.objects.bulk_create(
        CommentVote(comment=comment, user=person, value=value(p, c))
        for p, person in enumerate(people)
        for c, comment in enumerate(made)
    )


def test_groups_agree_with_the_summary_the_official_sees(
    open_proposal, camps, people, django_capture_on_commit_callbacks
):
    shown = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    groups = shown["groups"]
    assert groups["status"] == "ok" and len(groups["groups"]) == 2
    cells, summary = exported_groups(open_proposal)
    assert summary["groups"] == str(len(groups["groups"]))
    assert summary["voters-in-conv"] == str(groups["participants_considered"])
    sizes = Counter(cells)
    assert {str(g["id"]): g["size"] for g in groups["groups"]} == {
        key: n for key, n in sizes.items() if key
    }
    assert sizes[""] == len(cells) - groups["participants_considered"]


@pytest.mark.parametrize(
    ("voters", "comments", "value"),
    [
        # Too few to group at all.
        pytest.param(3, 2, lambda p, c: "agree" if (p + c) % 2 else "disagree", id="few"),
        # Everybody agrees with everything: nothing tells anyone apart.
        pytest.param(24, 12, lambda p, c: "agree", id="unanimous"),
    ],
)
def test_group_id_is_empty_when_the_summary_shows_no_groups(
    open_proposal, people, make_user, django_capture_on_commit_callbacks, voters, comments, value
):
    voted(open_proposal, make_user, voters=voters, comments=comments, value=value)
    shown = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    # too_few_votes or no_clear_groups: whatever the reason, no groups are shown.
    assert shown["groups"]["status"] != group_analysis.STATUS_OK
    assert shown["groups"]["groups"] == []
    assert groups_of(open_proposal).result["status"] == shown["groups"]["status"]
    cells, summary = exported_groups(open_proposal)
    assert len(cells) == voters
    assert cells == [""] * voters
    assert summary["groups"] == "0"
    assert summary["voters-in-conv"] == str(shown["groups"]["participants_considered"])


def test_a_status_without_groups_never_lets_labels_out(open_proposal, camps, monkeypatch):
    """Should an analysis that shows no groups still carry labels, the export
    follows the status the summary shows, not the labels."""
    real = export.group_analysis.opinion_groups_with_members

    def without_groups(*args, **kwargs):
        found = real(*args, **kwargs)
        result = {**found.result, "status": group_analysis.STATUS_NO_CLEAR_GROUPS}
        return found._replace(result=result)

    monkeypatch.setattr(export.group_analysis, "opinion_groups_with_members", without_groups)
    cells, summary = exported_groups(open_proposal)
    assert set(cells) == {""}
    assert summary["groups"] == "0"


def test_labels_go_to_their_own_participants_whatever_their_order(
    open_proposal, camps, monkeypatch
):
    """The analysis gives (participant_ids[i], labels[i]) pairs in an order of
    its own: the export follows the pairs, never an order by id."""
    before, _summary = exported_groups(open_proposal)
    assert {cell for cell in before} == {"0", "1"}
    real = export.group_analysis.opinion_groups_with_members

    def shuffled(*args, **kwargs):
        found = real(*args, **kwargs)
        order = np.random.default_rng(7).permutation(found.participant_ids.size)
        assert not np.array_equal(order, np.arange(order.size))
        return found._replace(
            participant_ids=found.participant_ids[order], labels=found.labels[order]
        )

    monkeypatch.setattr(export.group_analysis, "opinion_groups_with_members", shuffled)
    after, _summary = exported_groups(open_proposal)
    assert after == before
