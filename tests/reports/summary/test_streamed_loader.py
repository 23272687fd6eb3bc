"""The summary's reader streams its inputs: the same arrays (and so the same
summary) as reading them through Django's value lists, a chunk at a time."""

import dataclasses
import json
import tracemalloc
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from consult.infra.columns import columns, seconds
from consult.opendata.public import comments as public_comments
from consult.reports.summary import computing, loader
from discussion.models import Comment, CommentVote
from proposals.models import ProposalStance, SectionStance

pytestmark = pytest.mark.django_db


def _ids(values):
    return np.asarray([loader.NO_ID if v is None else v for v in values], dtype=np.int64)


def _read_as_before(proposal) -> dict:
    """The comments, votes and stances read as the summary read them before it
    streamed: Django's value lists, with its converters, row by row."""
    comments = public_comments(proposal).order_by("pk")
    ids, authors, sections, parents, times, texts = columns(
        comments.values_list("pk", "author_id", "section_id", "parent_id", "created_at", "body"), 6
    )
    votes = CommentVote.objects.filter(comment__in=comments.values("pk")).order_by("pk")
    v_comment, v_user, v_value, v_time = columns(
        votes.values_list("comment_id", "user_id", "value", "created_at"), 4
    )
    s_user, s_value, s_time = columns(
        ProposalStance.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("user_id", "value", "updated_at"),
        3,
    )
    ss_section, ss_user, ss_value, ss_time = columns(
        SectionStance.objects.filter(proposal=proposal, section__is_removed=False)
        .order_by("pk")
        .values_list("section_id", "user_id", "value", "updated_at"),
        4,
    )
    stance = [loader.STANCE_CODES[v] for v in s_value]
    section_stance = [loader.STANCE_CODES[v] for v in ss_value]
    return {
        "comment_id": _ids(ids),
        "comment_author": _ids(authors),
        "comment_section": _ids(sections),
        "comment_parent": _ids(parents),
        "comment_time": seconds(times),
        "comment_text": texts,
        "vote_comment": _ids(v_comment),
        "vote_user": _ids(v_user),
        "vote_value": np.asarray([loader.VOTE_CODES[v] for v in v_value], dtype=np.int8),
        "vote_time": seconds(v_time),
        "stance_user": _ids(s_user),
        "stance_value": np.asarray(stance, dtype=np.int8),
        "stance_time": seconds(s_time),
        "section_stance_section": _ids(ss_section),
        "section_stance_user": _ids(ss_user),
        "section_stance_value": np.asarray(section_stance, dtype=np.int8),
        "section_stance_time": seconds(ss_time),
    }


def _summary(inputs) -> str:
    header = {"id": 1, "title": "t", "slug": "t", "status": "open"}
    result = computing.compute(inputs, proposal=header, zone=ZoneInfo("Europe/London"))
    return json.dumps(result, sort_keys=True)


@pytest.mark.parametrize("chunk", [2, 50_000])
def test_the_streamed_read_gives_the_summary_the_old_read_gave(
    open_proposal, crowd, monkeypatch, chunk
):
    # A time on the second exactly, which SQLite stores without microseconds.
    vote = CommentVote.objects.order_by("pk").first()
    CommentVote.objects.filter(pk=vote.pk).update(created_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(loader, "CHUNK", chunk)
    streamed = loader.load(open_proposal)
    before = _read_as_before(open_proposal)
    assert streamed.vote_comment.size == 5 and streamed.comment_id.size == 6
    for name, value in before.items():
        got = getattr(streamed, name)
        if isinstance(value, list):
            assert got == value, name
        else:
            assert got.dtype == value.dtype and np.array_equal(got, value), name
    as_before = dataclasses.replace(streamed, **before)
    assert as_before.fingerprint() == streamed.fingerprint()
    assert _summary(as_before) == _summary(streamed)


def _many_votes(proposal, make_user, voters: int, comments: list) -> None:
    people = [make_user(display_name=f"Voter {i}") for i in range(voters)]
    at = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
    CommentVote.objects.bulk_create(
        CommentVote(comment=comment, user=person, value="agree", created_at=at, updated_at=at)
        for person in people
        for comment in comments
    )


def _peak_of_reading(proposal) -> int:
    comments = public_comments(proposal).order_by("pk")
    tracemalloc.start()
    try:
        inputs = loader.Inputs()
        loader._read_votes(inputs, comments, lambda share: None)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_votes_holds_arrays_not_python_rows(open_proposal, people, make_user, monkeypatch):
    """The memory the read needs grows with the votes by about what their
    arrays take (25 bytes a vote, twice while the chunks are joined), not by
    the hundred-odd bytes of Python objects a row read as values takes, and
    not with the number of chunks."""
    monkeypatch.setattr(loader, "CHUNK", 100)
    texts = [f"Comment number {i} on the plan." for i in range(50)]
    comments = Comment.objects.bulk_create(
        Comment(proposal=open_proposal, author=people.official, body=t, body_html=t) for t in texts
    )
    _many_votes(open_proposal, make_user, 20, comments)  # 1,000 votes: 10 chunks
    small = _peak_of_reading(open_proposal)
    _many_votes(open_proposal, make_user, 80, comments)  # 5,000 votes: 50 chunks
    large = _peak_of_reading(open_proposal)
    per_vote = (large - small) / 4000
    assert per_vote < 80, per_vote
    # What the same rows cost as Python objects, for scale.
    tracemalloc.start()
    held = columns(
        CommentVote.objects.order_by("pk")
        .values_list("comment_id", "user_id", "value", "created_at")
        .iterator(chunk_size=100),
        4,
    )
    held = tracemalloc.get_traced_memory()[0] / len(held[0])
    tracemalloc.stop()
    assert per_vote < held / 2, (per_vote, held)
