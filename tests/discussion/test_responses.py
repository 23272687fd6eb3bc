"""Officials answer comments: with a badge and a status, pushed live, and the
author told."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import PermissionDenied, ValidationError

from asgi import application
from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from discussion import moderation, responses, services
from discussion.models import OfficialResponse
from proposals import services as proposal_services
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


def a_comment(people, proposal, section):
    return services.comment_create(
        actor=people.citizen, proposal=proposal, section=section, body="Lower the limit"
    )


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),
        ("moderator", False),  # moderators hide; they do not answer for the department
        ("official", True),
        ("parent_official", True),
        ("other_official", False),
    ],
)
def test_officials_of_the_department_or_above_respond(who, allowed, open_proposal, section, people):
    comment = a_comment(people, open_proposal, section)
    actor = getattr(people, who)
    if allowed:
        responses.response_post(
            actor=actor, comment=comment, status="accepted", explanation="We will."
        )
        assert OfficialResponse.objects.get().comments.get() == comment
    else:
        with pytest.raises(PermissionDenied):
            responses.response_post(
                actor=actor, comment=comment, status="accepted", explanation="We will."
            )
        assert not OfficialResponse.objects.exists()


def test_a_response_is_shown_with_its_badge_and_the_author_is_told(
    client, open_proposal, section, people
):
    comment = a_comment(people, open_proposal, section)
    response = responses.response_post(
        actor=people.official,
        comment=comment,
        status="partly",
        explanation="We lower it near *schools*.",
    )
    page = client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/").content.decode()
    assert "Official response" in page and "Partly accepted" in page
    assert "<em>schools</em>" in page
    assert response.department.name in page
    note = Notification.objects.get(recipient=people.citizen)
    assert (note.kind, note.url) == ("response", comment.url_in_context())
    client.force_login(people.citizen)
    assert "An official response to your comment" in client.get("/notifications/").content.decode()
    assert AuditEntry.objects.filter(action="response.post", actor=people.official).exists()


def test_bad_responses_are_refused_with_the_text_kept(client, open_proposal, section, people):
    comment = a_comment(people, open_proposal, section)
    with pytest.raises(ValidationError, match="Choose accepted"):
        responses.response_post(
            actor=people.official, comment=comment, status="maybe", explanation="x"
        )
    client.force_login(people.official)
    response = client.post(
        f"/discussion/comments/{comment.pk}/respond/",
        {"status": "noted", "explanation": "x" * 5001},
    )
    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert "x" * 5001 in response.content.decode()
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Spam")
    response = client.post(
        f"/discussion/comments/{comment.pk}/respond/", {"status": "noted", "explanation": "Seen"}
    )
    assert response.status_code == 400
    assert "cannot be answered" in response.content.decode()
    assert not OfficialResponse.objects.exists()


def test_no_responses_before_a_consultation_opens_or_after_it_is_withdrawn(
    open_proposal, section, people
):
    comment = a_comment(people, open_proposal, section)
    proposal_services.proposal_withdraw(
        actor=people.official, proposal=open_proposal, reason="Replaced"
    )
    with pytest.raises(PermissionDenied):
        responses.response_post(
            actor=people.official, comment=comment, status="noted", explanation="Too late"
        )


async def test_a_response_goes_out_live(open_proposal, section, people):
    comment = await sync_to_async(a_comment)(people, open_proposal, section)
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    await socket.connect()
    await next_message(socket)
    await sync_to_async(responses.response_post)(
        actor=people.official, comment=comment, status="accepted", explanation="Agreed."
    )
    event = await next_message(socket)
    assert event["type"] == "response.posted" and event["comments"] == [comment.pk]
    assert "Official response" in event["html"] and "Agreed." in event["html"]
    await socket.disconnect()


def test_rewriting_a_comments_history_leaves_a_response_with_the_same_id_alone(
    open_proposal, section, people
):
    from django.db import transaction

    from discussion.events import event_append
    from discussion.models import Event

    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Hello"
    )
    with transaction.atomic():
        # A response whose id happens to equal the comment's.
        event_append(
            proposal=open_proposal,
            type="response.posted",
            payload={"id": comment.pk, "comments": [1], "html": {"en": "the response"}},
        )
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Off topic")
    response_event = Event.objects.get(proposal=open_proposal, type="response.posted")
    assert response_event.payload["html"] == {"en": "the response"}
    created = Event.objects.get(proposal=open_proposal, type="comment.created")
    assert "Hello" not in str(created.payload["html"])
