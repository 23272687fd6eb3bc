"""The Polis exchange's scenes: a consultation with two planted camps of
voters, and a hand-written Polis export with something wrong in many rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.utils import timezone

from consult.analysis.groups import opinion_groups_with_members
from consult.analysis.inputs import positions
from consult.opendata import pseudonyms
from consult.opendata.polis.imports import import_dir
from consult.reports.summary import loader
from consult.reports.summary.services import summary_start
from discussion.comments import services as discussion_services
from discussion.models import Comment, CommentVote
from discussion.moderation import services as moderation
from proposals.models import Proposal

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


def run_summary(proposal, actor, capture) -> dict:
    with capture(execute=True):
        run = summary_start(actor=actor, proposal=proposal)
    run.refresh_from_db()
    assert run.result is not None, run.error if hasattr(run, "error") else run
    return run.result


def voter_numbers(proposal, voters) -> dict[int, int]:
    """Account id -> voter number: the rank of the voter's pseudonym."""
    names = pseudonyms.Pseudonyms(proposal.pk, pseudonyms.Kind.VOTER)
    ranked = sorted((v.pk for v in voters), key=names)
    return {pk: n for n, pk in enumerate(ranked)}


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
    "1594100000,Tue Jul 07 2020,2,5,1\n"  # 7: on the moderated-out comment: kept
    "1594100000,Tue Jul 07 2020,9,5,1\n"  # 8: unknown comment
    "1594100000,Tue Jul 07 2020,0,0,1\n"  # 9: the author's own
    "1594100000,Tue Jul 07 2020,1,y,1\n"  # 10: bad voter
    "soon,Tue Jul 07 2020,1,6,1\n"  # 11: bad timestamp
    "1594100000,Tue Jul 07 2020,1\n"  # 12: too few fields
    "1594200000,Tue Jul 07 2020,0,5,-1\n"  # 13
    "1594200000,Tue Jul 07 2020,0,5,0\n"  # 14: same time, later line wins
    "1594200000,Tue Jul 07 2020,7,1,-1\n"  # 15
    "1594200000,Tue Jul 07 2020,4,1,1\n"  # 16: its comment (empty) was skipped
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


@pytest.fixture
def archive(hand_export, tree):
    return import_dir(hand_export, department=tree.city_office).proposal
