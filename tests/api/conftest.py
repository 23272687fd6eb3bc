"""A consultation with public, hidden, held and deleted comments, tokens, and
the helpers every API test reads and sends JSON with."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from consult.api import tokens
from discussion.comments import services as discussion_services
from discussion.models import Comment, ModerationPolicy
from discussion.moderation import services as moderation
from tests.form_scene import form_consultation, form_scene, official, questions  # noqa: F401
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

SECRET_WORDS = {
    "hidden": "HIDDEN-WORDS-zebra",
    "held": "HELD-WORDS-walrus",
    "deleted": "DELETED-WORDS-okapi",
}


@dataclass
class Thread:
    public: Comment
    reply: Comment
    hidden: Comment
    held: Comment
    deleted: Comment


@pytest.fixture
def client_api():
    return Client(HTTP_ACCEPT="application/json")


@pytest.fixture
def thread(open_proposal, people, make_user):  # noqa: F811
    """Comments of every state on the open proposal's first section."""
    section = open_proposal.sections.order_by("order").first()
    writer = make_user(email="writer.secret@example.org", display_name="Wendy Writer-Secret")
    replier = make_user(email="replier.secret@example.org", display_name="Rory Replier-Secret")

    def post(author, body, **place):
        return discussion_services.comment_create(
            actor=author, proposal=open_proposal, body=body, **place
        )

    public = post(writer, "Slow streets keep children safe.", section=section)
    reply = post(replier, "Agreed, and buses too.", parent=public)
    hidden = post(replier, f"{SECRET_WORDS['hidden']} rude words", section=section)
    moderation.comment_hide(actor=people.moderator, comment=hidden, reason="Rude")
    deleted = post(writer, f"{SECRET_WORDS['deleted']} second thoughts", section=section)
    discussion_services.comment_delete(actor=writer, comment=deleted)
    ModerationPolicy.objects.update_or_create(proposal=open_proposal, defaults={"hold_all": True})
    held = post(replier, f"{SECRET_WORDS['held']} waiting", section=section)
    ModerationPolicy.objects.filter(proposal=open_proposal).update(hold_all=False)
    assert held.is_held
    discussion_services.comment_vote(actor=replier, comment=public, value="agree")
    for comment in (public, reply, hidden, held, deleted):
        comment.refresh_from_db()
    return Thread(public, reply, hidden, held, deleted)


@pytest.fixture
def token_for():
    def make(user, *, can_write=True):
        _token, raw = tokens.token_create(actor=user, name="script", can_write=can_write)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def body(response) -> dict:
    return json.loads(response.content)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = body(response)["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def put_json(client, url, data, **headers):
    return client.put(url, json.dumps(data), content_type="application/json", **headers)
