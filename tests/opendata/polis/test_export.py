"""The Polis export: the four files, their columns, what leaves and what never does."""

from __future__ import annotations

import pytest

from consult.opendata.polis.export import REMOVED_TEXT, export_files
from discussion.comments import services as discussion_services
from discussion.models import CommentVote
from tests.opendata.polis.conftest import (
    CAMP_A,
    CODE,
    groups_of,
    read_csv,
    voter_numbers,
)

pytestmark = pytest.mark.django_db


def test_export_has_the_four_polis_files_with_polis_columns(open_proposal, camps):
    files = export_files(open_proposal)
    assert sorted(files) == sorted(
        ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]
    )
    comments = read_csv(files["comments.csv"])
    assert comments[0] == [
        "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
        "comment-body",
    ]  # fmt: skip
    # The 16 public comments, and the hidden one as Polis writes a comment
    # its moderators removed: moderated = -1, here without its words.
    assert len(comments) == 1 + 16 + 1
    assert [row[6] for row in comments[1:]].count("-1") == 1
    votes = read_csv(files["votes.csv"])
    assert votes[0] == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert {row[4] for row in votes[1:]} == {"1", "-1", "0"}
    participants = read_csv(files["participants-votes.csv"])
    ids = [str(c.pk) for c in camps["comments"]]
    assert participants[0] == [
        "participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *ids
    ]  # fmt: skip
    assert [row[0] for row in participants[1:]] == [str(i) for i in range(26)]
    summary = dict(read_csv(files["summary.csv"]))
    assert list(summary) == [
        "topic", "url", "voters", "voters-in-conv", "commenters", "comments", "groups",
        "conversation-description",
    ]  # fmt: skip
    assert summary["topic"] == open_proposal.title
    assert summary["voters"] == "26"
    assert summary["comments"] == "16"
    assert summary["commenters"] == "3"
    assert summary["groups"] == "2"


def test_exported_rows_agree_with_each_other(open_proposal, camps):
    files = export_files(open_proposal)
    comments = read_csv(files["comments.csv"])[1:]
    votes = read_csv(files["votes.csv"])[1:]
    participants = read_csv(files["participants-votes.csv"])
    by_comment = {row[2]: row for row in comments}
    for comment_id, row in by_comment.items():
        mine = [v[4] for v in votes if v[2] == comment_id]
        assert int(row[4]) == mine.count("1")
        assert int(row[5]) == mine.count("-1")
        # Shown, or hidden by the moderators (written without votes).
        assert row[6] == "1" or (row[6] == "-1" and not mine)
    assert [row[2] for row in votes] == sorted((row[2] for row in votes), key=int), (
        "votes go in comment order"
    )
    header = participants[0]
    for row in participants[1:]:
        cells = dict(zip(header[6:], row[6:], strict=True))
        mine = {v[2]: v[4] for v in votes if v[3] == row[0]}
        assert {k: v for k, v in cells.items() if v} == mine
        assert int(row[3]) == len(mine)
        assert int(row[4]) == list(mine.values()).count("1")
        assert int(row[5]) == list(mine.values()).count("-1")
        assert row[2] == "0"


def test_only_public_data_leaves(open_proposal, camps):
    files = export_files(open_proposal)
    everything = b"".join(files.values()).decode()
    secret_ids = {str(c.pk) for c in camps["secret"]}
    hidden, held, deleted = (str(c.pk) for c in camps["secret"])
    rows = {row[2]: row for row in read_csv(files["comments.csv"])[1:]}
    # Held and deleted comments leave no trace; the hidden one only the fact
    # that a comment was removed there (as Polis's moderated = -1), with no
    # words and no votes.
    assert not {held, deleted} & set(rows)
    assert rows[hidden][4:] == ["0", "0", "-1", REMOVED_TEXT]
    assert not set(read_csv(files["participants-votes.csv"])[0][6:]) & secret_ids
    for words in ("Hidden words", "Held words", "Deleted words"):
        assert words not in everything
    assert "@" not in everything
    assert "Resident" not in everything and "Named Author" not in everything
    votes = read_csv(files["votes.csv"])[1:]
    public = CommentVote.objects.filter(comment__in=camps["comments"]).count()
    assert len(votes) == public
    assert not {row[2] for row in votes} & secret_ids


def test_authors_are_numbered_apart_from_voters(open_proposal, camps):
    files = export_files(open_proposal)
    comments = read_csv(files["comments.csv"])[1:]
    votes = read_csv(files["votes.csv"])[1:]
    voters = {int(row[3]) for row in votes}
    authors = [int(row[3]) for row in comments]
    assert voters == set(range(26))
    # Three authors, numbered after the voters in order of their first comment.
    assert authors[:3] == [26, 27, 28]
    assert set(authors) == {26, 27, 28}
    assert not voters & set(authors)


def test_voters_are_numbered_in_order_of_pseudonym_not_of_account(open_proposal, camps):
    files = export_files(open_proposal)
    votes = read_csv(files["votes.csv"])[1:]
    citizens = camps["citizens"]
    number_of = voter_numbers(open_proposal, citizens)
    assert sorted(number_of.values()) == list(range(len(citizens)))
    by_account = [number_of[pk] for pk in sorted(number_of)]
    assert by_account != list(range(len(citizens)))  # not by account
    for citizen in citizens[:6]:
        first = next(c for c in camps["comments"] if c.author_id != citizen.pk)
        value = CommentVote.objects.get(comment=first, user=citizen).value
        row = next(r for r in votes if r[2] == str(first.pk) and r[3] == str(number_of[citizen.pk]))
        assert int(row[4]) == CODE[value]


def test_vote_times_are_given_to_the_day(open_proposal, camps):
    files = export_files(open_proposal)
    votes = read_csv(files["votes.csv"])[1:]
    assert all(int(row[0]) % 86_400 == 0 for row in votes)
    assert all(row[1].endswith("00:00:00 GMT+0000 (Coordinated Universal Time)") for row in votes)


def test_group_id_is_each_voters_opinion_group(open_proposal, camps):
    analysis = groups_of(open_proposal)
    assert analysis.result["status"] == "ok"
    files = export_files(open_proposal)
    participants = read_csv(files["participants-votes.csv"])[1:]
    number_of = voter_numbers(open_proposal, camps["citizens"])
    person_of_number = {number_of[c.pk]: i for i, c in enumerate(camps["citizens"])}
    label_of = dict(zip(analysis.participant_ids.tolist(), analysis.labels.tolist(), strict=True))
    for number, row in enumerate(participants):
        citizen = camps["citizens"][person_of_number[number]]
        assert row[1] == str(label_of[citizen.pk])
    camp_of_group = {}
    for number, row in enumerate(participants):
        person = person_of_number[number]
        camp_of_group.setdefault(row[1], set()).add("A" if person in CAMP_A else "B")
    assert sorted(map(sorted, camp_of_group.values())) == [["A"], ["B"]]


def test_a_comment_that_looks_like_a_formula_is_guarded(open_proposal, people, make_user):
    citizen = make_user()
    discussion_services.comment_create(
        actor=citizen, proposal=open_proposal, body='=HYPERLINK("http://example.invalid")'
    )
    files = export_files(open_proposal)
    row = read_csv(files["comments.csv"])[1]
    assert row[7] == '\'=HYPERLINK("http://example.invalid")'


def test_an_empty_consultation_exports_headers_only(open_proposal):
    files = export_files(open_proposal)
    assert read_csv(files["comments.csv"])[1:] == []
    assert read_csv(files["votes.csv"])[1:] == []
    assert len(read_csv(files["participants-votes.csv"])) == 1
    assert dict(read_csv(files["summary.csv"]))["groups"] == "0"
