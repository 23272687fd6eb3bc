"""Polis-compatible exchange: the export's files, the import's account of every
row, the archive it makes, and the round trip that keeps the opinion groups."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from consult.accounts.models import User
from consult.analysis.groups import opinion_groups_with_members
from consult.analysis.inputs import positions
from consult.opendata import polis, pseudonyms, public
from consult.reports import loader
from consult.reports import services as report_services
from discussion.comments import services as discussion_services
from discussion.models import Comment, CommentVote
from discussion.moderation import services as moderation
from proposals.models import Proposal, Status
from proposals.services import drafts, lifecycle, stances, versions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

AGREE, DISAGREE, PASS = "agree", "disagree", "pass"
CODE = {AGREE: 1, DISAGREE: -1, PASS: 0}

# Two camps: A (14 people) agrees with comments 0-5 and disagrees with 6-11,
# B (12 people) the reverse; everybody agrees with 12-15. A little noise.
CAMP_A, CAMP_B = range(0, 14), range(14, 26)
TEXTS = [f"Statement {i}: {'school streets' if i < 6 else 'open roads'} first." for i in range(12)]
TEXTS += [f"Consensus {i}: children must be safe." for i in range(4)]
FLIPPED = {(0, 1), (15, 2), (3, 8), (20, 9)}
PASSED = {(4, 0), (18, 7), (9, 13)}
MISSING = {(7, 1), (22, 3), (11, 14)}


def planted_value(person: int, comment: int) -> str | None:
    if (person, comment) in MISSING:
        return None
    if (person, comment) in PASSED:
        return PASS
    agree = comment >= 12 or (comment < 6) == (person in CAMP_A)
    if (person, comment) in FLIPPED:
        agree = not agree
    return AGREE if agree else DISAGREE


@pytest.fixture
def camps(open_proposal, people, make_user):
    """26 citizens in two camps; two of them and one named author who never
    votes write the 16 comments; a hidden, a held and a deleted comment get
    votes that must never leave."""
    citizens = [make_user(display_name=f"Resident {i}") for i in range(26)]
    author = make_user("named.author@example.org", display_name="Named Author")
    writers = [author, citizens[0], citizens[14]]
    comments = [
        discussion_services.comment_create(actor=writers[i % 3], proposal=open_proposal, body=text)
        for i, text in enumerate(TEXTS)
    ]
    votes = []
    for person, citizen in enumerate(citizens):
        for i, comment in enumerate(comments):
            value = planted_value(person, i)
            if value is not None and comment.author_id != citizen.pk:
                votes.append(CommentVote(comment=comment, user=citizen, value=value))
    hidden = discussion_services.comment_create(
        actor=author, proposal=open_proposal, body="Hidden words never leave."
    )
    held = discussion_services.comment_create(
        actor=author, proposal=open_proposal, body="Held words never leave."
    )
    deleted = discussion_services.comment_create(
        actor=author, proposal=open_proposal, body="Deleted words never leave."
    )
    for comment in (hidden, held, deleted):
        votes += [CommentVote(comment=comment, user=c, value=AGREE) for c in citizens]
    CommentVote.objects.bulk_create(votes)
    moderation.comment_hide(actor=people.moderator, comment=hidden, reason="Off topic")
    Comment.objects.filter(pk=held.pk).update(held_at=timezone.now())
    discussion_services.comment_delete(actor=author, comment=deleted)
    return {
        "citizens": citizens,
        "author": author,
        "comments": comments,
        "secret": [hidden, held, deleted],
    }


def groups_of(proposal: Proposal):
    """The opinion groups exactly as the summary computes them (authors' own votes out)."""
    inputs = loader.load(proposal)
    author = inputs.comment_author[positions(inputs.comment_id, inputs.vote_comment)]
    others = author != inputs.vote_user
    return opinion_groups_with_members(
        inputs.vote_user[others], inputs.vote_comment[others], inputs.vote_value[others]
    )


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def write_dir(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def counts() -> tuple[int, int, int, int]:
    return (
        Proposal.objects.count(),
        User.objects.count(),
        Comment.objects.count(),
        CommentVote.objects.count(),
    )


def tallies(proposal: Proposal) -> dict[str, tuple[int, int, int]]:
    """(agree, disagree, pass) votes per public comment text, counted from the votes."""
    found: dict[str, list[int]] = {}
    for body, value in CommentVote.objects.filter(
        comment__in=public.comments(proposal)
    ).values_list("comment__body", "value"):
        found.setdefault(body, [0, 0, 0])[(AGREE, DISAGREE, PASS).index(value)] += 1
    return {body: tuple(n) for body, n in found.items()}


def run_summary(proposal, actor, capture) -> dict:
    with capture(execute=True):
        run = report_services.summary_start(actor=actor, proposal=proposal)
    run.refresh_from_db()
    assert run.result is not None, run.error if hasattr(run, "error") else run
    return run.result


# --- export ---------------------------------------------------------------------------


def test_export_has_the_four_polis_files_with_polis_columns(open_proposal, camps):
    files = polis.export_files(open_proposal)
    assert sorted(files) == sorted(
        ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]
    )
    comments = read_csv(files["comments.csv"])
    assert comments[0] == [
        "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
        "comment-body",
    ]  # fmt: skip
    assert len(comments) == 1 + 16
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
    files = polis.export_files(open_proposal)
    comments = read_csv(files["comments.csv"])[1:]
    votes = read_csv(files["votes.csv"])[1:]
    participants = read_csv(files["participants-votes.csv"])
    by_comment = {row[2]: row for row in comments}
    for comment_id, row in by_comment.items():
        mine = [v[4] for v in votes if v[2] == comment_id]
        assert int(row[4]) == mine.count("1")
        assert int(row[5]) == mine.count("-1")
        assert row[6] == "1"
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
    files = polis.export_files(open_proposal)
    everything = b"".join(files.values()).decode()
    secret_ids = {str(c.pk) for c in camps["secret"]}
    assert not {row[2] for row in read_csv(files["comments.csv"])[1:]} & secret_ids
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
    files = polis.export_files(open_proposal)
    comments = read_csv(files["comments.csv"])[1:]
    votes = read_csv(files["votes.csv"])[1:]
    voters = {int(row[3]) for row in votes}
    authors = [int(row[3]) for row in comments]
    assert voters == set(range(26))
    # Three authors, numbered after the voters in order of their first comment.
    assert authors[:3] == [26, 27, 28]
    assert set(authors) == {26, 27, 28}
    assert not voters & set(authors)


def voter_numbers(proposal, voters) -> dict[int, int]:
    """Account id -> voter number: the rank of the voter's pseudonym."""
    names = pseudonyms.Pseudonyms(proposal.pk, pseudonyms.Kind.VOTER)
    ranked = sorted((v.pk for v in voters), key=names)
    return {pk: n for n, pk in enumerate(ranked)}


def test_voters_are_numbered_in_order_of_pseudonym_not_of_account(open_proposal, camps):
    files = polis.export_files(open_proposal)
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
    files = polis.export_files(open_proposal)
    votes = read_csv(files["votes.csv"])[1:]
    assert all(int(row[0]) % 86_400 == 0 for row in votes)
    assert all(row[1].endswith("00:00:00 GMT+0000 (Coordinated Universal Time)") for row in votes)


def test_group_id_is_each_voters_opinion_group(open_proposal, camps):
    analysis = groups_of(open_proposal)
    assert analysis.result["status"] == "ok"
    files = polis.export_files(open_proposal)
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
    files = polis.export_files(open_proposal)
    row = read_csv(files["comments.csv"])[1]
    assert row[7] == '\'=HYPERLINK("http://example.invalid")'


def test_an_empty_consultation_exports_headers_only(open_proposal):
    files = polis.export_files(open_proposal)
    assert read_csv(files["comments.csv"])[1:] == []
    assert read_csv(files["votes.csv"])[1:] == []
    assert len(read_csv(files["participants-votes.csv"])) == 1
    assert dict(read_csv(files["summary.csv"]))["groups"] == "0"


# --- the round trip --------------------------------------------------------------------


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
    for key in ("consensus", "divisive"):
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

    polis.export_dir(open_proposal, tmp_path / "export")
    result = polis.import_dir(tmp_path / "export", department=tree.city_office)
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
    polis.export_dir(open_proposal, tmp_path)
    result = polis.import_dir(tmp_path, department=tree.city_office)
    imported = result.proposal
    assert [a.skipped_total for a in result.files] == [0, 0]
    assert result.participants == 26 + 3
    before = list(
        Comment.objects.filter(pk__in=[c.pk for c in camps["comments"]])
        .order_by("pk")
        .values_list("body", "created_at")
    )
    after = list(
        Comment.objects.filter(proposal=imported).order_by("pk").values_list("body", "created_at")
    )
    # Polis timestamps are whole seconds.
    assert [(body, at.replace(microsecond=0)) for body, at in before] == after
    assert tallies(imported) == tallies(open_proposal)
    counters = Comment.objects.filter(proposal=imported).values_list(
        "body", "agree_count", "disagree_count", "pass_count"
    )
    assert {body: tuple(n) for body, *n in counters} == tallies(imported)
    assert imported.title == open_proposal.title
    assert imported.summary == open_proposal.summary


# --- import: a hand-written export ---------------------------------------------------------

HAND_COMMENTS = (
    "\ufefftimestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\r\n"
    '1593461131,Mon Jun 29 2020,0,0,2,1,1,"More cycling,\r\nand walking."\r\n'
    "1593461482,Mon Jun 29 2020,1,4,1,0,0,Telecommuting will stay.\r\n"
    "1593461494,Mon Jun 29 2020,2,7,0,0,-1,Rejected by a moderator.\r\n"
    "1593461500000,Mon Jun 29 2020,3,4,0,0,1,Milliseconds are read as such.\r\n"
    "1593461600,Mon Jun 29 2020,4,2,0,0,1,   \r\n"
    "1593461700,Mon Jun 29 2020,x,2,0,0,1,Not a number.\r\n"
    "1593461800,Mon Jun 29 2020,1,2,0,0,1,Same id again.\r\n"
    f"1593461900,Mon Jun 29 2020,5,2,0,0,1,{'long ' * 1001}\r\n"
    "1593462000,Mon Jun 29 2020,6,2,0,0,7,Odd moderation.\r\n"
    "1593462100,Mon Jun 29 2020,7,9,0,0,1,Unquoted, as Polis' server writes it\r\n"
)
HAND_VOTES = (
    "timestamp,datetime,comment-id,voter-id,vote\n"
    "1594984322,Fri Jul 17 2020,0,1,1\n"  # 2
    "1594148968,Tue Jul 07 2020,0,3,-1\n"  # 3: replaced by line 4
    "1594150000,Tue Jul 07 2020,0,3,1\n"  # 4
    "1594100000,Tue Jul 07 2020,1,3,1\n"  # 5
    "1594100000,Tue Jul 07 2020,1,5,2\n"  # 6: bad vote
    "1594100000,Tue Jul 07 2020,2,5,1\n"  # 7: moderated-out comment
    "1594100000,Tue Jul 07 2020,9,5,1\n"  # 8: unknown comment
    "1594100000,Tue Jul 07 2020,0,0,1\n"  # 9: the author's own
    "1594100000,Tue Jul 07 2020,1,y,1\n"  # 10: bad voter
    "soon,Tue Jul 07 2020,1,6,1\n"  # 11: bad timestamp
    "1594100000,Tue Jul 07 2020,1\n"  # 12: too few fields
    "1594200000,Tue Jul 07 2020,0,5,-1\n"  # 13
    "1594200000,Tue Jul 07 2020,0,5,0\n"  # 14: same time, later line wins
    "1594200000,Tue Jul 07 2020,7,1,-1\n"  # 15
)
HAND_PARTICIPANTS = (
    "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,3,7\n"
    "1,0,0,2,1,1,1,,,-1\n3,1,0,2,2,0,1,1,,\n5,,0,1,0,0,0,,,\n"
)
HAND_SUMMARY = (
    'topic,"Our streets, our say"\nurl,https://pol.is/2demo\nvoters,3\n'
    'conversation-description,"How should we share the streets?"\n'
)


@pytest.fixture
def hand_export(tmp_path):
    return write_dir(
        tmp_path / "hand",
        {
            "comments.csv": HAND_COMMENTS,
            "votes.csv": HAND_VOTES,
            "participant-votes.csv": HAND_PARTICIPANTS,
            "summary.csv": HAND_SUMMARY,
        },
    )


def test_a_hand_written_polis_export_is_imported(hand_export, tree):
    result = polis.import_dir(hand_export, department=tree.city_office)
    proposal = result.proposal
    assert proposal.title == "Our streets, our say"
    assert proposal.summary == "How should we share the streets?"
    assert proposal.archived and proposal.origin == "polis"
    assert proposal.status == Status.CLOSED
    assert proposal.current_version.number == 1
    assert list(proposal.current_version.section_versions.values_list("body", flat=True)) == [
        "How should we share the streets?"
    ]
    comments = list(
        Comment.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("body", "author__display_name", "agree_count", "disagree_count", "pass_count")
    )
    assert comments == [
        ("More cycling,\nand walking.", "Polis participant 0", 2, 0, 1),
        ("Telecommuting will stay.", "Polis participant 4", 1, 0, 0),
        ("Milliseconds are read as such.", "Polis participant 4", 0, 0, 0),
        ("Unquoted, as Polis' server writes it", "Polis participant 9", 0, 1, 0),
    ]
    first = Comment.objects.filter(proposal=proposal).order_by("pk").first()
    assert first.created_at.timestamp() == 1593461131
    assert first.root_id == first.pk
    millis = Comment.objects.get(proposal=proposal, body__startswith="Milliseconds")
    assert millis.created_at.timestamp() == 1593461500
    votes = dict(
        CommentVote.objects.filter(comment__proposal=proposal)
        .values_list("user__display_name", "value")
        .filter(comment=first)
    )
    assert votes == {
        "Polis participant 1": "agree",
        "Polis participant 3": "agree",
        "Polis participant 5": "pass",
    }
    assert result.participants == 6  # 0, 1, 3, 4, 5, 9
    assert "participant-votes.csv lists 3 participants in 2 opinion groups" in result.notes[0]


def test_every_skipped_row_is_counted_with_its_reason_and_line(hand_export, tree):
    result = polis.import_dir(hand_export, department=tree.city_office)
    comments, votes = result.files
    assert (comments.name, comments.read, comments.imported) == ("comments.csv", 10, 4)
    assert {reason: (s.count, s.lines) for reason, s in comments.skipped.items()} == {
        "moderated_out": (1, [5]),
        "empty_comment": (1, [7]),
        "bad_comment_id": (1, [8]),
        "duplicate_comment": (1, [9]),
        "too_long": (1, [10]),
        "bad_moderated": (1, [11]),
    }
    assert (votes.name, votes.read, votes.imported) == ("votes.csv", 14, 5)
    assert {reason: (s.count, s.lines) for reason, s in votes.skipped.items()} == {
        "superseded": (2, [3, 13]),
        "bad_vote": (1, [6]),
        "skipped_comment": (1, [7]),
        "unknown_comment": (1, [8]),
        "own_comment": (1, [9]),
        "bad_voter_id": (1, [10]),
        "bad_timestamp": (1, [11]),
        "malformed": (1, [12]),
    }
    for reason in {**comments.skipped, **votes.skipped}:
        assert polis.reason_text(reason)


def test_only_five_example_lines_are_kept_per_reason(tmp_path, tree):
    rows = "".join(f"1594100000,x,0,{n},5\n" for n in range(1, 9))
    folder = write_dir(
        tmp_path,
        {
            "comments.csv": HAND_COMMENTS.split("\r\n", 2)[0]
            + "\r\n1593461131,x,0,0,0,0,1,Fine.\r\n",
            "votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n" + rows,
        },
    )
    votes = polis.import_dir(folder, department=tree.city_office).files[1]
    assert votes.skipped["bad_vote"].count == 8
    assert votes.skipped["bad_vote"].lines == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"votes.csv": HAND_VOTES}, "comments.csv is missing"),
        ({"comments.csv": HAND_COMMENTS}, "votes.csv is missing"),
        (
            {
                "comments.csv": HAND_COMMENTS.replace("comment-body", "text"),
                "votes.csv": HAND_VOTES,
            },
            "comments.csv has no column comment-body",
        ),
        (
            {"comments.csv": HAND_COMMENTS, "votes.csv": HAND_VOTES.replace("voter-id", "who")},
            "votes.csv has no column voter-id",
        ),
        (
            {
                "comments.csv": HAND_COMMENTS,
                "votes.csv": HAND_VOTES,
                "participants-votes.csv": "participant,n-votes\n1,2\n",
            },
            "participants-votes.csv has no column group-id",
        ),
        ({"comments.csv": "", "votes.csv": HAND_VOTES}, "comments.csv is empty"),
        (
            {"comments.csv": HAND_COMMENTS.encode("utf-16"), "votes.csv": HAND_VOTES},
            "comments.csv is not UTF-8",
        ),
        (
            {
                "comments.csv": HAND_COMMENTS.split("\r\n", 1)[0] + "\r\n1,x,0,0,0,0,-1,Out.\r\n",
                "votes.csv": HAND_VOTES,
            },
            "No comment in comments.csv could be imported",
        ),
    ],
    ids=[
        "no-comments",
        "no-votes",
        "comment-column",
        "vote-column",
        "participants-column",
        "empty",
        "not-utf8",
        "nothing-usable",
    ],
)
def test_a_bad_export_is_refused_with_a_clear_error_and_nothing_written(
    tmp_path, tree, files, message
):
    folder = write_dir(tmp_path / "bad", files)
    before = counts()
    with pytest.raises(polis.PolisImportError, match=message):
        polis.import_dir(folder, department=tree.city_office)
    assert counts() == before


def test_a_failure_while_writing_leaves_nothing_half_written(hand_export, tree, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(polis, "_create_votes", broken)
    before = counts()
    with pytest.raises(RuntimeError, match="disk full"):
        polis.import_dir(hand_export, department=tree.city_office)
    assert counts() == before


def test_a_folder_that_is_not_there_is_refused(tmp_path, tree):
    with pytest.raises(polis.PolisImportError, match="is not a folder"):
        polis.import_dir(tmp_path / "nowhere", department=tree.city_office)


# --- the archive ------------------------------------------------------------------------


@pytest.fixture
def archive(hand_export, tree):
    return polis.import_dir(hand_export, department=tree.city_office).proposal


def test_placeholder_participants_can_never_sign_in(archive, client):
    users = User.objects.filter(comments__proposal=archive).distinct()
    assert users.exists()
    for user in User.objects.filter(email__endswith="@imported.invalid"):
        assert not user.is_active
        assert not user.has_usable_password()
        assert user.email.startswith("polis-")
        assert authenticate(username=user.email, password="") is None
        assert not client.login(email=user.email, password=PASSWORD)
        assert not user.emailaddress_set.exists()
    assert User.objects.filter(email__endswith="@imported.invalid").count() == 6


def test_an_archive_takes_no_comments_votes_or_stances(archive, people):
    comment = Comment.objects.filter(proposal=archive).first()
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_create(actor=people.citizen, proposal=archive, body="Hello")
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_create(
            actor=people.citizen, proposal=archive, body="Hello", parent=comment
        )
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_vote(actor=people.citizen, comment=comment, value="agree")
    with pytest.raises(ValidationError, match="takes no stances"):
        stances.stance_cast(actor=people.citizen, proposal=archive, value="support")


def test_an_archive_is_never_reopened_extended_or_changed(archive, people):
    official = people.official
    later = timezone.now() + timedelta(days=30)
    attempts = {
        "extend": lambda: lifecycle.proposal_extend(
            actor=official, proposal=archive, closes_at=later, reason="More time."
        ),
        "close": lambda: lifecycle.proposal_close_early(
            actor=official, proposal=archive, reason="Done."
        ),
        "schedule": lambda: lifecycle.proposal_schedule(
            actor=official, proposal=archive, opens_at=timezone.now(), closes_at=later
        ),
        "withdraw": lambda: lifecycle.proposal_withdraw(
            actor=official, proposal=archive, reason="Gone."
        ),
        "section": lambda: drafts.section_add(
            actor=official, proposal=archive, heading="New", body="Text"
        ),
        "version": lambda: versions.version_publish(
            actor=official, proposal=archive, change_note="Second."
        ),
        "report": lambda: lifecycle.proposal_report_published(actor=official, proposal=archive),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError, match="cannot be changed") as caught:
            attempt()
        assert caught.value.messages, name
    archive.refresh_from_db()
    assert archive.status == Status.CLOSED
    assert archive.current_version.number == 1


def test_an_archive_still_refuses_strangers_first(archive, people):
    with pytest.raises(PermissionDenied):
        lifecycle.proposal_extend(
            actor=people.other_official,
            proposal=archive,
            closes_at=timezone.now() + timedelta(days=1),
            reason="x",
        )


def test_an_archive_is_not_answered_here(archive, people):
    from discussion import rules

    assert not rules.can_respond(people.official, archive)
    assert not rules.can_comment(people.citizen, archive)


def test_the_page_says_it_is_an_archive(archive, client, people):
    client.force_login(people.citizen)
    page = client.get(archive.get_absolute_url())
    assert page.status_code == 200
    assert "Archived: imported from a Polis export" in page.content.decode()
    assert 'name="value" value="support"' not in page.content.decode()


def test_the_summary_is_computed_on_an_archive(archive, people, django_capture_on_commit_callbacks):
    result = run_summary(archive, people.official, django_capture_on_commit_callbacks)
    assert result["inputs"]["comments"] == 4
    assert result["inputs"]["comment_votes"] == 5


# --- the command ------------------------------------------------------------------------


def test_the_command_prints_the_address_and_an_account_of_every_row(hand_export, tree):
    out = StringIO()
    call_command("import_polis", str(hand_export), department="city-office", stdout=out)
    text = out.getvalue()
    proposal = Proposal.objects.get(origin="polis")
    assert proposal.get_absolute_url() in text
    assert "comments.csv: 10 rows read, 4 imported, 6 skipped" in text
    assert "votes.csv: 14 rows read, 5 imported, 9 skipped" in text
    assert (
        "2 × replaced by a later vote of the same voter on the same comment (lines 3, 13)" in text
    )
    assert "1 × removed by the conversation's moderators (moderated = -1) (lines 5)" in text
    assert "6 participants imported as placeholder accounts that cannot sign in." in text


def test_the_command_takes_a_title(hand_export, tree):
    call_command(
        "import_polis",
        str(hand_export),
        department="city-office",
        title="Streets",
        stdout=StringIO(),
    )
    assert Proposal.objects.get(origin="polis").title == "Streets"


def test_the_command_fails_clearly(tmp_path, tree):
    with pytest.raises(CommandError, match="No department has the slug nowhere"):
        call_command("import_polis", str(tmp_path), department="nowhere", stdout=StringIO())
    with pytest.raises(CommandError, match=r"Nothing was imported: comments\.csv is missing"):
        call_command("import_polis", str(tmp_path), department="city-office", stdout=StringIO())
    assert not Proposal.objects.filter(origin="polis").exists()


def test_ids_too_large_for_any_export_are_skipped_not_a_crash(tmp_path, tree):
    huge = str(2**63)
    folder = write_dir(
        tmp_path,
        {
            "comments.csv": HAND_COMMENTS.split("\r\n", 2)[0]
            + f"\r\n1593461131,x,0,0,0,0,1,Fine.\r\n1593461131,x,{huge},0,0,0,1,Huge.\r\n",
            "votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n"
            f"1594100000,x,0,{huge},1\n1594100000,x,0,1,1\n",
        },
    )
    comments, votes = polis.import_dir(folder, department=tree.city_office).files
    assert comments.skipped["bad_comment_id"].lines == [3]
    assert votes.skipped["bad_voter_id"].lines == [2] and votes.imported == 1


def test_an_imported_participants_name_cannot_be_taken(hand_export, tree, make_user):
    from django.core.exceptions import ValidationError

    from consult.accounts import services as account_services

    polis.import_dir(hand_export, department=tree.city_office)
    person = make_user(display_name="Ada")
    with pytest.raises(ValidationError, match="Someone else is already called"):
        account_services.display_name_change(actor=person, name="polis PARTICIPANT 4")
