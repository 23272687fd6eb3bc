"""Agree / disagree / pass: one per citizen per comment, changeable; sorting."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from discussion.comments import selectors, services
from discussion.models import Comment, CommentVote

pytestmark = pytest.mark.django_db


def test_one_vote_per_citizen_per_comment_and_counts_follow_changes(
    open_proposal, people, make_user
):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Idea")
    voter = make_user()
    services.comment_vote(actor=voter, comment=comment, value="agree")
    services.comment_vote(actor=voter, comment=comment, value="agree")
    services.comment_vote(actor=voter, comment=comment, value="disagree")
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count, comment.pass_count) == (0, 1, 0)
    assert CommentVote.objects.count() == 1
    with pytest.raises(IntegrityError):
        CommentVote.objects.create(comment=comment, user=voter, value="pass")


def test_no_votes_on_your_own_comment_or_with_odd_values(open_proposal, people, make_user):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Idea")
    with pytest.raises(ValidationError, match="your own comment"):
        services.comment_vote(actor=people.citizen, comment=comment, value="agree")
    with pytest.raises(ValidationError, match="agree, disagree or pass"):
        services.comment_vote(actor=make_user(), comment=comment, value="love")


def test_sorting(open_proposal, people, make_user):
    voters = [make_user() for _ in range(4)]
    a = services.comment_create(actor=people.citizen, proposal=open_proposal, body="a")
    b = services.comment_create(actor=people.citizen, proposal=open_proposal, body="b")
    c = services.comment_create(actor=people.citizen, proposal=open_proposal, body="c")
    for voter in voters[:3]:
        services.comment_vote(actor=voter, comment=a, value="agree")
    for voter, value in zip(voters, ["agree", "agree", "disagree", "disagree"], strict=True):
        services.comment_vote(actor=voter, comment=b, value=value)
    services.comment_create(actor=voters[0], proposal=open_proposal, body="r", parent=c)

    def order(sort):
        return [
            n.comment.body
            for n in selectors.comment_threads(proposal=open_proposal, section=None, sort=sort)[1]
        ]

    assert order("oldest") == ["a", "b", "c"]
    assert order("newest") == ["c", "b", "a"]
    assert order("agreed") == ["a", "b", "c"]
    assert order("discussed")[0] == "c"
    assert order("controversial")[0] == "b"
    assert order("nonsense") == ["a", "b", "c"]
    assert Comment.objects.get(pk=c.pk).reply_count == 1
