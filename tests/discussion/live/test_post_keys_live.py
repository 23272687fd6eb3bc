"""Posting over the socket with a key: an answer lost with a dropped socket
is not a lost post. The page sends the same post again on its next socket
and gets the same comment back, stored once, with no second event."""

import uuid

import pytest

from discussion.models import Comment, Event
from tests.discussion.conftest import socket_for
from tests.live_helpers import human, next_message, nothing_more

pytestmark = pytest.mark.django_db(transaction=True)


def post(key, ref, body="Thirty near schools", **extra) -> dict:
    return {**human(), "type": "comment.post", "body": body, "ref": ref, "key": key, **extra}


async def answer_to(socket, ref: str) -> dict:
    """The answer to one post (its event may come before or after it; a busy
    machine may take a while)."""
    for _ in range(3):
        message = await next_message(socket, timeout=30)
        if message.get("ref") == ref:
            return message
    raise AssertionError(f"no answer to {ref}")


async def test_a_post_sent_again_on_a_new_socket_is_stored_once(open_proposal, people):
    key = str(uuid.uuid4())
    first = socket_for(open_proposal, user=people.citizen, since=0)
    await first.connect()
    hello = await next_message(first)
    await first.send_json_to(post(key, "c1"))
    # The socket drops before the page reads the answer.
    answered = await answer_to(first, "c1")
    await first.disconnect()

    again = socket_for(open_proposal, user=people.citizen, since=hello["seq"])
    await again.connect()
    assert (await next_message(again))["type"] == "hello"
    # The replay of what was missed: the comment's own event, once.
    replayed = await next_message(again)
    assert replayed["type"] == "comment.created"
    await again.send_json_to(post(key, "c1"))
    retried = await next_message(again)
    assert retried["type"] == "ok" and retried["ref"] == "c1"
    assert retried["comment"] == answered["comment"]
    assert await nothing_more(again)  # no second event
    await again.disconnect()

    comment = await Comment.objects.aget()
    assert retried["comment"]["id"] == replayed["id"] == comment.pk
    assert comment.client_key == uuid.UUID(key)
    assert await Event.objects.filter(type="comment.created").acount() == 1


@pytest.mark.parametrize(
    ("key", "words"),
    [("12345", "is not a UUID"), ("a" * 100, "is 100 characters long")],
)
async def test_a_bad_key_over_the_socket_is_refused_with_words(open_proposal, people, key, words):
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    await socket.send_json_to(post(key, "bad"))
    refused = await next_message(socket)
    assert refused["type"] == "error" and refused["ref"] == "bad"
    assert words in refused["message"]
    await socket.send_json_to(post(7, "odd"))  # not even text
    assert (await next_message(socket))["type"] == "error"
    await socket.disconnect()
    assert not await Comment.objects.aexists()


async def test_the_same_key_with_other_words_is_refused_over_the_socket(open_proposal, people):
    key = str(uuid.uuid4())
    socket = socket_for(open_proposal, user=people.citizen)
    await socket.connect()
    await next_message(socket)
    await socket.send_json_to(post(key, "c1"))
    assert (await answer_to(socket, "c1"))["type"] == "ok"
    await socket.send_json_to(post(key, "c2", body="Something else entirely"))
    refused = await answer_to(socket, "c2")
    assert refused["type"] == "error"
    assert "A different comment was already posted" in refused["message"]
    await socket.disconnect()
    assert await Comment.objects.acount() == 1
