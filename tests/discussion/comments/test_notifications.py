"""A reply tells the parent comment's author: in a list with an unread count
in the menu, kept live on their open pages."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from asgi import application
from consult.notifications.models import Notification
from discussion.comments import services
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(path: str, user=None):
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, path, headers)
    if user is not None:
        socket.scope["user"] = user
    return socket


def test_a_reply_notifies_the_parent_author_once_and_never_oneself(
    client, open_proposal, people, make_user
):
    parent = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Mine")
    replier = make_user(display_name="Replier")
    reply = services.comment_create(
        actor=replier, proposal=open_proposal, body="I **disagree**, because", parent=parent
    )
    services.comment_create(actor=people.citizen, proposal=open_proposal, body="Me", parent=reply)
    note = Notification.objects.get(recipient=people.citizen)
    assert (note.kind, note.actor, note.subject) == ("reply", replier, open_proposal.title)
    assert note.excerpt == "I **disagree**, because"
    assert note.url == reply.url_in_context()
    # The reply to the replier notified them, and nothing notified the citizen of their own reply.
    assert Notification.objects.filter(recipient=replier).count() == 1
    assert Notification.objects.count() == 2

    client.force_login(people.citizen)
    page = client.get("/").content.decode()
    assert "data-unread-count>1<" in page
    inbox = client.get("/notifications/").content.decode()
    assert "Replier replied to your comment on" in inbox and "I **disagree**, because" in inbox

    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == reply.url_in_context()
    note.refresh_from_db()
    assert note.read_at is not None
    assert "data-unread-count>0<" in client.get("/").content.decode()


def test_notifications_are_private_and_mark_all_read(client, open_proposal, people, make_user):
    parent = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Mine")
    for n in range(3):
        services.comment_create(
            actor=make_user(), proposal=open_proposal, body=f"r{n}", parent=parent
        )
    note = Notification.objects.filter(recipient=people.citizen).first()
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")
    client.force_login(people.moderator)
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404
    assert "Nothing yet." in client.get("/notifications/").content.decode()
    client.force_login(people.citizen)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=people.citizen, read_at=None).exists()


def test_editing_a_reply_updates_its_notification_and_deleting_withdraws_it(
    open_proposal, people, make_user
):
    parent = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Mine")
    replier = make_user()
    reply = services.comment_create(
        actor=replier, proposal=open_proposal, body="first words", parent=parent
    )
    services.comment_edit(actor=replier, comment=reply, body="second   words\n\nlonger " * 30)
    excerpt = Notification.objects.get().excerpt
    assert excerpt.startswith("second words longer second") and len(excerpt) == 200
    services.comment_delete(actor=replier, comment=reply)
    assert not Notification.objects.exists()


async def test_the_unread_count_is_pushed_live_to_every_open_page_of_the_author(
    open_proposal, people, make_user
):
    parent = await sync_to_async(services.comment_create)(
        actor=people.citizen, proposal=open_proposal, body="Mine"
    )
    on_proposal = communicator(f"/ws/proposals/{open_proposal.pk}/", people.citizen)
    await on_proposal.connect()
    assert (await next_message(on_proposal))["type"] == "hello"
    elsewhere = communicator("/ws/me/", people.citizen)
    await elsewhere.connect()
    assert await next_message(elsewhere) == {"type": "notifications", "unread": 0}

    replier = await sync_to_async(make_user)()
    await sync_to_async(services.comment_create)(
        actor=replier, proposal=open_proposal, body="A reply", parent=parent
    )
    assert await next_message(elsewhere) == {"type": "notifications", "unread": 1}
    received = [await next_message(on_proposal) for _ in range(2)]
    assert {"type": "notifications", "unread": 1} in received
    assert "comment.created" in {message["type"] for message in received}
    for socket in (on_proposal, elsewhere):
        await socket.disconnect()


async def test_the_personal_socket_is_for_signed_in_people_only():
    socket = communicator("/ws/me/")
    connected, code = await socket.connect()
    assert not connected and code == 4401
