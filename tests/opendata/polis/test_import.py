"""The Polis import: a hand-written export imported, every skipped row
accounted for, a comment its moderators removed kept hidden with its votes, a
bad export refused with nothing written, and the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from consult.accounts.models import User
from consult.opendata import public
from consult.opendata.polis import imports
from consult.opendata.polis.export import REMOVED_TEXT, export_files
from consult.opendata.polis.imports import import_dir
from consult.opendata.polis.reading import PolisImportError, reason_text
from discussion.models import Comment, CommentVote
from discussion.moderation.log import moderation_log
from proposals.models import Proposal, Status
from tests.opendata.polis.conftest import (
    HAND_COMMENTS,
    HAND_VOTES,
    read_csv,
    write_dir,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Proposal.objects.count(),
        User.objects.count(),
        Comment.objects.count(),
        CommentVote.objects.count(),
    )


def test_a_hand_written_polis_export_is_imported(hand_export, tree):
    result = import_dir(hand_export, department=tree.city_office)
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
        ("Rejected by a moderator.", "Polis participant 7", 1, 0, 0),
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
    assert result.participants == 7  # 0, 1, 3, 4, 5, 7, 9
    assert "participant-votes.csv lists 3 participants in 2 opinion groups" in result.notes[0]


def test_every_skipped_row_is_counted_with_its_reason_and_line(hand_export, tree):
    result = import_dir(hand_export, department=tree.city_office)
    comments, votes = result.files
    assert (comments.name, comments.read, comments.imported) == ("comments.csv", 10, 5)
    # Imported, hidden: not skipped.
    assert (comments.hidden.count, comments.hidden.lines) == (1, [5])
    assert {reason: (s.count, s.lines) for reason, s in comments.skipped.items()} == {
        "empty_comment": (1, [7]),
        "bad_comment_id": (1, [8]),
        "duplicate_comment": (1, [9]),
        "too_long": (1, [10]),
        "bad_moderated": (1, [11]),
    }
    assert (votes.name, votes.read, votes.imported) == ("votes.csv", 15, 6)
    assert (votes.hidden.count, votes.skipped_total) == (0, 9)
    assert {reason: (s.count, s.lines) for reason, s in votes.skipped.items()} == {
        "superseded": (2, [3, 13]),
        "bad_vote": (1, [6]),
        "skipped_comment": (1, [16]),
        "unknown_comment": (1, [8]),
        "own_comment": (1, [9]),
        "bad_voter_id": (1, [10]),
        "bad_timestamp": (1, [11]),
        "malformed": (1, [12]),
    }
    for reason in {**comments.skipped, **votes.skipped}:
        assert reason_text(reason)


def test_a_comment_removed_by_the_polis_moderators_is_imported_hidden_with_its_votes(
    hand_export, tree
):
    """As a comment a moderator hid here: its words out of everything public,
    its votes kept (the summary counts such comments, Polis's groups too)."""
    proposal = import_dir(hand_export, department=tree.city_office).proposal
    removed = Comment.objects.get(proposal=proposal, body="Rejected by a moderator.")
    assert removed.is_hidden and not removed.is_public
    assert removed.hidden_reason == (
        "Removed in Polis by the conversation's own moderators (Polis records no reason)."
    )
    assert (removed.hidden_category, removed.hidden_by, removed.hidden_pending_review) == (
        "other",
        None,
        False,
    )
    assert removed.hidden_at == removed.created_at
    assert removed.created_at.timestamp() == 1593461494
    assert dict(
        CommentVote.objects.filter(comment=removed).values_list("user__display_name", "value")
    ) == {"Polis participant 5": "agree"}
    assert not Comment.objects.filter(proposal=proposal, hidden_at__isnull=False).exclude(
        pk=removed.pk
    )
    assert removed not in public.comments(proposal)
    assert public.comments(proposal).count() == 4
    assert not public.votes(proposal).filter(comment=removed).exists()
    assert public.votes(proposal).count() == 5
    # Counted for "sort by activity" as comments published here are: the public ones.
    assert proposal.activity_count == 4
    # Listed in the public moderation log with its reason, as a moderator's hiding is.
    log = moderation_log(proposal=proposal)
    assert [row["reason"] for row in log.hidden.object_list] == [removed.hidden_reason]
    assert [(c.key, c.count) for c in log.categories] == [("other", 1)]
    # In the platform's own Polis export of the archive it is again a removed
    # comment: moderated = -1, never its words or its votes.
    files = export_files(proposal)
    assert b"Rejected by a moderator" not in files["comments.csv"]
    rows = read_csv(files["comments.csv"])
    assert len(rows) == 1 + 4 + 1
    assert [row[6:] for row in rows[1:] if row[6] == "-1"] == [["-1", REMOVED_TEXT]]
    assert len(read_csv(files["votes.csv"])) == 1 + 5


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
    votes = import_dir(folder, department=tree.city_office).files[1]
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
            "there is no public comment to import",
        ),
        (
            {
                "comments.csv": HAND_COMMENTS.split("\r\n", 1)[0] + "\r\n1,x,0,0,0,0,1,   \r\n",
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
        "nothing-public",
        "nothing-usable",
    ],
)
def test_a_bad_export_is_refused_with_a_clear_error_and_nothing_written(
    tmp_path, tree, files, message
):
    folder = write_dir(tmp_path / "bad", files)
    before = counts()
    with pytest.raises(PolisImportError, match=message):
        import_dir(folder, department=tree.city_office)
    assert counts() == before


def test_a_failure_while_writing_leaves_nothing_half_written(hand_export, tree, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_create_votes", broken)
    before = counts()
    with pytest.raises(RuntimeError, match="disk full"):
        import_dir(hand_export, department=tree.city_office)
    assert counts() == before


def test_a_folder_that_is_not_there_is_refused(tmp_path, tree):
    with pytest.raises(PolisImportError, match="is not a folder"):
        import_dir(tmp_path / "nowhere", department=tree.city_office)


# --- the command ------------------------------------------------------------------------


def test_the_command_prints_the_address_and_an_account_of_every_row(hand_export, tree):
    out = StringIO()
    call_command("import_polis", str(hand_export), department="city-office", stdout=out)
    text = out.getvalue()
    proposal = Proposal.objects.get(origin="polis")
    assert proposal.get_absolute_url() in text
    assert "comments.csv: 10 rows read, 5 imported, 5 skipped" in text
    assert "votes.csv: 15 rows read, 6 imported, 9 skipped" in text
    assert (
        "2 × replaced by a later vote of the same voter on the same comment (lines 3, 13)" in text
    )
    assert (
        "  1 of them imported hidden, with their votes: removed by the conversation's "
        "moderators in Polis (moderated = -1) (lines 5)\n"
    ) in text
    assert "1 × its comment was skipped (lines 16)" in text
    assert "7 participants imported as placeholder accounts that cannot sign in." in text


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
    comments, votes = import_dir(folder, department=tree.city_office).files
    assert comments.skipped["bad_comment_id"].lines == [3]
    assert votes.skipped["bad_voter_id"].lines == [2] and votes.imported == 1


def test_an_imported_participants_name_cannot_be_taken(hand_export, tree, make_user):
    from django.core.exceptions import ValidationError

    from consult.accounts import services as account_services

    import_dir(hand_export, department=tree.city_office)
    person = make_user(display_name="Ada")
    with pytest.raises(ValidationError, match="Someone else is already called"):
        account_services.display_name_change(actor=person, name="polis PARTICIPANT 4")
