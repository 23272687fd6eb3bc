"""The round trip: exported in the Polis format and imported again, a
consultation keeps its opinion groups, comments, votes and times."""

from __future__ import annotations

import pytest

from consult.accounts.models import User
from consult.opendata import public
from consult.opendata.polis.export import REMOVED_TEXT, export_dir, export_files
from consult.opendata.polis.imports import import_dir
from discussion.models import Comment, CommentVote
from proposals.models import Proposal
from tests.opendata.polis.conftest import (
    AGREE,
    DISAGREE,
    PASS,
    groups_of,
    read_csv,
    run_summary,
    voter_numbers,
)

pytestmark = pytest.mark.django_db


def tallies(proposal: Proposal) -> dict[str, tuple[int, int, int]]:
    """(agree, disagree, pass) votes per public comment text, counted from the votes."""
    found: dict[str, list[int]] = {}
    for body, value in CommentVote.objects.filter(
        comment__in=public.comments(proposal)
    ).values_list("comment__body", "value"):
        found.setdefault(body, [0, 0, 0])[(AGREE, DISAGREE, PASS).index(value)] += 1
    return {body: tuple(n) for body, n in found.items()}


def _mapped(result: dict, comment_map: dict[int, int]) -> dict:
    """The result with every comment id replaced through comment_map."""
    result = {**result}
    result["groups"] = [
        {
            **g,
            "distinctive": [{**d, "comment": comment_map[d["comment"]]} for d in g["distinctive"]],
        }
        for g in result["groups"]
    ]
    for key in ("consensus", "group_consensus", "divisive"):
        result[key] = [{**row, "comment": comment_map[row["comment"]]} for row in result[key]]
    return result


def test_round_trip_gives_the_same_opinion_groups(
    open_proposal, camps, tree, people, tmp_path, django_capture_on_commit_callbacks
):
    """Export in the Polis format, import, and get the same groups: the same
    members (through participant numbers), the same comments (through their
    texts) and the same consensus."""
    before = groups_of(open_proposal)
    assert before.result["status"] == "ok"
    assert before.result["k"] == 2

    export_dir(open_proposal, tmp_path / "export")
    result = import_dir(tmp_path / "export", department=tree.city_office)
    imported = result.proposal
    after = groups_of(imported)

    text_of = dict(Comment.objects.filter(proposal=open_proposal).values_list("pk", "body"))
    pk_of = {
        body: pk for pk, body in Comment.objects.filter(proposal=imported).values_list("pk", "body")
    }
    comment_map = {pk: pk_of[text] for pk, text in text_of.items() if text in pk_of}
    assert after.result == _mapped(before.result, comment_map)

    # Members: voter n of the export is "Polis participant n" of the archive.
    number_of = voter_numbers(open_proposal, camps["citizens"])
    user_of_number = {
        int(name.rsplit(" ", 1)[1]): pk
        for pk, name in User.objects.filter(pk__in=after.participant_ids.tolist()).values_list(
            "pk", "display_name"
        )
    }
    label_after = dict(zip(after.participant_ids.tolist(), after.labels.tolist(), strict=True))
    for pk, label in zip(before.participant_ids.tolist(), before.labels.tolist(), strict=True):
        assert label_after[user_of_number[number_of[pk]]] == label
    consensus = [text_of[row["comment"]] for row in before.result["consensus"]]
    assert consensus and all(text.startswith("Consensus") for text in consensus)

    # And the summary itself, computed here on the archive, says the same.
    official = people.official
    summary_before = run_summary(open_proposal, official, django_capture_on_commit_callbacks)
    summary_after = run_summary(imported, official, django_capture_on_commit_callbacks)
    assert summary_after["groups"] == _mapped(summary_before["groups"], comment_map)


def test_reimporting_an_export_keeps_comments_votes_and_times(open_proposal, camps, tree, tmp_path):
    export_dir(open_proposal, tmp_path)
    result = import_dir(tmp_path, department=tree.city_office)
    imported = result.proposal
    assert [a.skipped_total for a in result.files] == [0, 0]
    assert result.participants == 26 + 3
    before = list(
        Comment.objects.filter(pk__in=[c.pk for c in camps["comments"]])
        .order_by("pk")
        .values_list("body", "created_at")
    )
    after = list(
        Comment.objects.filter(proposal=imported, hidden_at__isnull=True)
        .order_by("pk")
        .values_list("body", "created_at")
    )
    # The hidden comment came back hidden, still without its words.
    removed = Comment.objects.get(proposal=imported, hidden_at__isnull=False)
    assert removed.body == REMOVED_TEXT
    assert not removed.votes.exists()
    # Polis timestamps are whole seconds.
    assert [(body, at.replace(microsecond=0)) for body, at in before] == after
    assert tallies(imported) == tallies(open_proposal)
    counters = Comment.objects.filter(proposal=imported, hidden_at__isnull=True).values_list(
        "body", "agree_count", "disagree_count", "pass_count"
    )
    assert {body: tuple(n) for body, *n in counters} == tallies(imported)
    assert imported.title == open_proposal.title
    assert imported.summary == open_proposal.summary
    # The summary went out as the description, and the archive's export says it again.
    again = dict(read_csv(export_files(imported)["summary.csv"]))
    assert again["conversation-description"] == open_proposal.summary
    assert again["topic"] == open_proposal.title
