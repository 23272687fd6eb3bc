"""Taking a vote on a comment back: the row goes, the count drops, the
tallies go out live as for a change; by the plain form and over the socket,
only while the discussion is open, and no error when there is nothing to
take back."""

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from discussion.comments import services
from discussion.models import Comment, CommentVote, Event
from proposals.services import lifecycle
from tests.discussion.conftest import section_url, socket_for
from tests.live_helpers import next_message


def counts(comment) -> tuple[int, int, int]:
    comment.refresh_from_db()
    return comment.agree_count, comment.disagree_count, comment.pass_count


@pytest.mark.django_db
def test_a_withdrawn_vote_is_gone_and_its_count_drops(
    open_proposal, people, make_user, django_capture_on_commit_callbacks
):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Idea")
    voter, other = make_user(), make_user()
    services.comment_vote(actor=voter, comment=comment, value="disagree")
    services.comment_vote(actor=other, comment=comment, value="disagree")
    assert counts(comment) == (0, 2, 0)
    base = Event.objects.filter(type="comment.tallies").count()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.comment_vote_withdraw(actor=voter, comment=comment) is True
    assert counts(comment) == (0, 1, 0)
    assert not CommentVote.objects.filter(user=voter).exists()
    assert CommentVote.objects.filter(user=other).exists()
    tally = Event.objects.filter(type="comment.tallies").latest("seq")
    assert Event.objects.filter(type="comment.tallies").count() == base + 1
    assert tally.payload["tallies"][str(comment.pk)] == [0, 1, 0]

    # Nothing left to take back: no error, nothing moves.
    assert services.comment_vote_withdraw(actor=voter, comment=comment) is False
    assert counts(comment) == (0, 1, 0)
    # And one may vote again afterwards.
    services.comment_vote(actor=voter, comment=comment, value="agree")
    assert counts(comment) == (1, 1, 0)


@pytest.mark.django_db
def test_no_withdrawal_once_the_consultation_has_closed(open_proposal, people, make_user):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Idea")
    voter = make_user()
    services.comment_vote(actor=voter, comment=comment, value="agree")
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    with pytest.raises(ValidationError) as refused:
        services.comment_vote_withdraw(actor=voter, comment=comment)
    assert refused.value.messages == ["The discussion is closed: the consultation is closed."]
    assert CommentVote.objects.filter(user=voter).exists()
    assert counts(comment) == (1, 0, 0)


@pytest.mark.django_db
def test_the_plain_form_withdraws_and_offers_withdrawing_only_with_a_vote(
    client, open_proposal, people, make_user
):
    section = open_proposal.sections.first()
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Idea"
    )
    voter = make_user()
    client.force_login(voter)
    url = f"/discussion/comments/{comment.pk}/vote/"

    def withdraw_button():
        page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
        return page.select_one(f"#comment-{comment.pk} button[value=withdraw]")

    assert withdraw_button().has_attr("hidden")
    # Nothing to withdraw yet: back to the page, no error page.
    response = client.post(url, {"value": "withdraw"})
    assert response.status_code == 302
    client.post(url, {"value": "pass"})
    assert counts(comment) == (0, 0, 1)
    assert not withdraw_button().has_attr("hidden")

    response = client.post(url, {"value": "withdraw"}, follow=True)
    assert response.status_code == 200
    assert "Your vote is withdrawn." in response.content.decode()
    assert not CommentVote.objects.exists()
    assert counts(comment) == (0, 0, 0)
    page = BeautifulSoup(response.content, "html.parser")
    pressed = page.select(f"#comment-{comment.pk} button[aria-pressed=true]")
    assert pressed == []

    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    client.post(url, {"value": "agree"})  # refused: closed
    response = client.post(url, {"value": "withdraw"}, follow=True)
    assert "The discussion is closed: the consultation is closed." in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_withdrawing_over_the_socket_uses_the_same_service(open_proposal, people, make_user):
    comment = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="Idea"
    )
    voter = await sync_to_async(make_user)()
    socket = socket_for(open_proposal, voter)
    await socket.connect()
    await next_message(socket)

    # No vote yet: an answer, not a failure.
    await socket.send_json_to({"type": "comment.vote_withdraw", "comment": comment.pk, "ref": "w0"})
    assert await next_message(socket) == {"type": "ok", "ref": "w0"}

    await socket.send_json_to(
        {"type": "comment.vote", "comment": comment.pk, "value": "agree", "ref": "v1"}
    )
    answers = [await next_message(socket) for _ in range(2)]
    assert {"type": "ok", "ref": "v1"} in answers

    await socket.send_json_to({"type": "comment.vote_withdraw", "comment": comment.pk, "ref": "w1"})
    answers = [await next_message(socket) for _ in range(2)]
    assert {"type": "ok", "ref": "w1"} in answers
    tally = next(a for a in answers if a["type"] == "comment.tallies")
    assert tally["tallies"][str(comment.pk)] == [0, 0, 0]
    assert not await CommentVote.objects.filter(comment=comment).aexists()
    assert (await Comment.objects.aget(pk=comment.pk)).agree_count == 0

    await sync_to_async(lifecycle.proposal_close_early)(
        actor=people.official, proposal=open_proposal, reason="Done"
    )
    await socket.send_json_to({"type": "comment.vote_withdraw", "comment": comment.pk, "ref": "w2"})
    refused = await next_message(socket)
    while refused.get("ref") != "w2":  # the closing's own events come first
        refused = await next_message(socket)
    assert refused == {
        "type": "error",
        "ref": "w2",
        "message": "The discussion is closed: the consultation is closed.",
    }
    await socket.disconnect()
