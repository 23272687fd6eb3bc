"""Hiding with a public reason and restoring: who may, what the public sees,
what goes out live, and what it means for replies and votes."""

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from channels.testing import WebsocketCommunicator
from django.core.exceptions import PermissionDenied, ValidationError

from asgi import application
from consult.accounts.models import AuditEntry, Role
from consult.notifications.models import Notification
from discussion.comments import services
from discussion.live import events
from discussion.models import Comment
from discussion.moderation import services as moderation
from tests.live_helpers import human, next_message

pytestmark = pytest.mark.django_db(transaction=True)


def thread(people, proposal, section, make_user):
    comment = services.comment_create(
        actor=people.citizen,
        proposal=proposal,
        section=section,
        body="Call the mayor at 555-0100, <b>now</b>",
    )
    reply = services.comment_create(
        actor=make_user(display_name="Replier"), proposal=proposal, body="A reply", parent=comment
    )
    return comment, reply


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),  # the author
        ("stranger", False),
        ("moderator", True),
        ("ministry_moderator", True),  # a department above
        ("other_moderator", False),
        ("official", False),  # officials respond, they do not hide
    ],
)
def test_only_moderators_of_the_department_or_above_hide(
    who, allowed, open_proposal, section, people, make_user, grant, tree
):
    comment, _reply = thread(people, open_proposal, section, make_user)
    actors = {
        "citizen": people.citizen,
        "stranger": make_user(),
        "moderator": people.moderator,
        "ministry_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": people.official,
    }
    if allowed:
        moderation.comment_hide(actor=actors[who], comment=comment, reason="Personal data")
        assert Comment.objects.get(pk=comment.pk).is_hidden
    else:
        with pytest.raises(PermissionDenied):
            moderation.comment_hide(actor=actors[who], comment=comment, reason="Personal data")
        assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_a_hidden_comment_leaves_public_pages_and_replays_but_moderators_still_see_it(
    client, open_proposal, section, people, make_user
):
    comment, reply = thread(people, open_proposal, section, make_user)
    before = events.last_seq(open_proposal.pk)
    with pytest.raises(ValidationError, match="reason"):
        moderation.comment_hide(actor=people.moderator, comment=comment, reason="   ")
    moderation.comment_hide(
        actor=people.moderator, comment=comment, reason="Personal <script>data</script>"
    )
    url = f"{open_proposal.get_absolute_url()}sections/{section.pk}/"
    public = client.get(url).content.decode()
    assert "555-0100" not in public
    assert "Removed by a moderator: Personal &lt;script&gt;data&lt;/script&gt;" in public
    assert "A reply" in public  # the replies keep their place
    # Nothing in the event log, replayed to a reconnecting browser, carries the words.
    replay = events.events_since(proposal_id=open_proposal.pk, seq=0)
    assert all("555-0100" not in str(event) for event in replay)
    assert [e["type"] for e in events.events_since(proposal_id=open_proposal.pk, seq=before)] == [
        "comment.hidden"
    ]
    entry = AuditEntry.objects.get(action="comment.hide")
    assert (entry.actor, entry.reason) == (people.moderator, "Personal <script>data</script>")

    client.force_login(people.moderator)
    page = BeautifulSoup(client.get(url).content, "html.parser")
    hidden_view = page.select_one(f"#comment-{comment.pk} .moderator-view")
    assert "555-0100" in hidden_view.get_text()

    with pytest.raises(ValidationError, match="already hidden"):
        moderation.comment_hide(actor=people.moderator, comment=comment, reason="Twice")
    response = client.post(f"/discussion/comments/{comment.pk}/restore/")
    assert response.status_code == 302
    assert "555-0100" in client.get(url).content.decode()
    assert AuditEntry.objects.filter(action="comment.restore").count() == 1
    assert reply.pk  # untouched


def test_no_reply_vote_or_edit_on_a_hidden_comment(
    client, open_proposal, section, people, make_user
):
    _comment, reply = thread(people, open_proposal, section, make_user)
    moderation.comment_hide(actor=people.moderator, comment=reply, reason="Off topic")
    # The parent's author no longer has the words in a notification; the
    # reply's author is told why it was hidden.
    assert list(Notification.objects.values_list("recipient", "kind", "excerpt")) == [
        (reply.author_id, "moderation", "Off topic")
    ]
    voter = make_user()
    with pytest.raises(ValidationError, match="removed by a moderator"):
        services.comment_vote(actor=voter, comment=reply, value="agree")
    with pytest.raises(ValidationError, match="removed by a moderator"):
        services.comment_edit(actor=reply.author, comment=reply, body="sneaky edit")
    client.force_login(voter)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/", human(body="kept text", parent=reply.pk)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "removed by a moderator; reply in its thread instead" in page and "kept text" in page
    assert Comment.objects.count() == 2


def test_the_hide_form_needs_a_reason_and_a_moderator(
    client, open_proposal, section, people, make_user
):
    comment, _reply = thread(people, open_proposal, section, make_user)
    client.force_login(people.official)
    client.post(f"/discussion/comments/{comment.pk}/hide/", {"reason": "Rude"})
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    client.force_login(people.moderator)
    response = client.post(f"/discussion/comments/{comment.pk}/hide/", {"reason": ""}, follow=True)
    assert "Give the reason the public will see" in response.content.decode()
    client.post(f"/discussion/comments/{comment.pk}/hide/", {"reason": "Rude"})
    assert Comment.objects.get(pk=comment.pk).hidden_reason == "Rude"


async def test_hiding_and_restoring_reach_every_listener_at_once(
    open_proposal, section, people, make_user
):
    comment, _reply = await sync_to_async(thread)(people, open_proposal, section, make_user)
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    await socket.connect()
    await next_message(socket)
    await sync_to_async(moderation.comment_hide)(
        actor=people.moderator, comment=comment, reason="Personal data"
    )
    hidden = await next_message(socket)
    assert hidden["type"] == "comment.hidden" and hidden["id"] == comment.pk
    assert "555-0100" not in str(hidden)
    assert "Removed by a moderator: Personal data" in hidden["html"]
    await sync_to_async(moderation.comment_restore)(actor=people.moderator, comment=comment)
    restored = await next_message(socket)
    assert restored["type"] == "comment.restored" and "555-0100" in restored["html"]
    await socket.disconnect()
