"""People with something to export or delete, and a private folder for the archives."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401


@pytest.fixture(autouse=True)
def _worker_connection(worker_connection_closed):
    """Every test here drives consumers in this process (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    """Archives of these tests go to a folder of their own."""
    folder = tmp_path / "exports"
    settings.CONSULT_EXPORTS_DIR = str(folder)
    settings.CONSULT_SITE_URL = "https://consult.example"
    return folder


@pytest.fixture
def signed_in():
    def sign_in(user) -> Client:
        client = Client()
        assert client.login(email=user.email, password=PASSWORD)
        return client

    return sign_in


@dataclass
class Footprint:
    """A person who has done a bit of everything, and someone else who has too."""

    person: object
    other: object
    proposal: object
    section: object
    own_comment: object
    formula_comment: object
    others_comment: object
    reply_to_person: object
    token: object


@pytest.fixture
def footprint(open_proposal, people, make_user, tree) -> Footprint:  # noqa: F811
    from consult.api import tokens
    from discussion.comments import services
    from discussion.moderation import services as moderation
    from proposals.services import followers, stances

    person = make_user("ada@example.org", "Ada Lovelace", home_jurisdiction=tree.city)
    other = make_user("grace@example.org", "Grace Hopper")
    section = open_proposal.sections.first()
    own = services.comment_create(
        actor=person, proposal=open_proposal, section=section, body="My own words on the limit."
    )
    formula = services.comment_create(
        actor=person, proposal=open_proposal, body='=HYPERLINK("http://evil.example")'
    )
    theirs = services.comment_create(
        actor=other, proposal=open_proposal, body="Someone else's words entirely."
    )
    reply = services.comment_create(
        actor=other, proposal=open_proposal, parent=own, body="A reply from someone else."
    )
    services.comment_vote(actor=person, comment=theirs, value="agree")
    services.comment_vote(actor=other, comment=own, value="disagree")
    stances.stance_cast(actor=person, proposal=open_proposal, value="support")
    stances.stance_cast(actor=person, proposal=open_proposal, section=section, value="oppose")
    stances.stance_cast(actor=other, proposal=open_proposal, value="oppose")
    followers.follow_set(actor=person, proposal=open_proposal, following=True)
    followers.follow_set(actor=other, proposal=open_proposal, following=True)
    moderation.comment_report(actor=person, comment=theirs, reason="spam", note="Looks like spam")
    token, _raw = tokens.token_create(actor=person, name="my research script", can_write=False)
    tokens.token_create(actor=other, name="grace's token", can_write=True)
    return Footprint(person, other, open_proposal, section, own, formula, theirs, reply, token)
