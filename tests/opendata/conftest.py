"""The open-data scenes: a consultation with something of everything, built
through the services, and the helpers that build and read its ZIPs."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consult.opendata import bulk, public
from discussion.comments import services as discussion
from discussion.models import Comment, ModerationPolicy
from discussion.moderation import services as moderation
from discussion.responses.services import responses_post_bulk
from proposals.models import Proposal
from proposals.services import drafts as proposal_drafts
from proposals.services import lifecycle as proposal_lifecycle
from proposals.services import stances as proposal_stances
from proposals.services import versions as proposal_versions
from tests.form_scene import form_consultation, form_scene, official, questions  # noqa: F401
from tests.live_helpers import human
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

PLANTED_IP = "203.0.113.77"
HIDDEN_WORDS = "Quokka-hidden-words-5521"
HELD_WORDS = "Quokka-held-words-5522"
DELETED_WORDS = "Quokka-deleted-words-5523"
DRAFT_TITLE = "Quokka-draft-title-5524"
UNPUBLISHED_TEXT = "Quokka-unpublished-section-text-5525"
NEVER = (HIDDEN_WORDS, HELD_WORDS, DELETED_WORDS, DRAFT_TITLE, UNPUBLISHED_TEXT, PLANTED_IP)


@pytest.fixture
def open_data_settings(settings, tmp_path):
    """Files in a folder of the test's own; the data looked at on every request."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONSULT_OPENDATA_CHECK_SECONDS = 0


@dataclass
class Scene:
    proposal: Proposal
    alice: object
    bob: object
    carol: object
    visible: Comment
    reply: Comment
    formula: Comment
    hidden: Comment
    held: Comment
    deleted: Comment
    draft_proposal: Proposal

    @property
    def secrets(self) -> list[str]:
        """Values of the people that must never leave, in any file."""
        return [
            value
            for user in (self.alice, self.bob, self.carol)
            for value in (user.email, user.display_name, str(user.pk))
        ]


@pytest.fixture
def scene(open_proposal, people, make_user, client) -> Scene:  # noqa: F811
    """A consultation with something of everything, built through the services.
    The people carry distinctive emails, names and account numbers."""
    alice = make_user(
        "alice.quokka.9001@example.org", display_name="Alicequokka Ninethousand", id=987654301
    )
    bob = make_user(
        "bob.quokka.9002@example.org", display_name="Bobquokka Ninethousand", id=987654302
    )
    carol = make_user(
        "carol.quokka.9003@example.org", display_name="Carolquokka Ninethousand", id=987654303
    )
    p = open_proposal
    first, second = p.sections.order_by("order")
    visible = discussion.comment_create(
        actor=alice, proposal=p, section=first, body="Slower cars near the gates, please."
    )
    reply = discussion.comment_create(actor=bob, proposal=p, parent=visible, body="Agreed.")
    formula = discussion.comment_create(
        actor=carol, proposal=p, body='=HYPERLINK("http://evil.example","click")'
    )
    hidden = discussion.comment_create(actor=carol, proposal=p, section=second, body=HIDDEN_WORDS)
    deleted = discussion.comment_create(actor=bob, proposal=p, body=DELETED_WORDS)
    discussion.comment_vote(actor=bob, comment=visible, value="agree")
    discussion.comment_vote(actor=carol, comment=visible, value="disagree")
    discussion.comment_vote(actor=alice, comment=formula, value="pass")
    discussion.comment_vote(actor=alice, comment=hidden, value="agree")
    discussion.comment_vote(actor=alice, comment=deleted, value="agree")
    responses_post_bulk(
        actor=people.official,
        proposal=p,
        comments=[visible, hidden],
        status="noted",
        explanation="We read all of these.",
    )
    moderation.comment_hide(
        actor=people.moderator, comment=hidden, reason="Off topic.", category="off_topic"
    )
    discussion.comment_delete(actor=bob, comment=deleted)
    ModerationPolicy.objects.create(proposal=p, hold_all=True)
    held = discussion.comment_create(actor=carol, proposal=p, body=HELD_WORDS)
    ModerationPolicy.objects.filter(proposal=p).delete()
    assert held.is_held
    # One comment through the plain form, from a known address.
    client.force_login(alice)
    posted = client.post(
        reverse("comment-post", args=[p.slug]),
        human(body="Posted through the form.", section=first.pk),
        REMOTE_ADDR=PLANTED_IP,
    )
    assert posted.status_code in (302, 303)
    client.logout()
    proposal_stances.stance_cast(actor=alice, proposal=p, value="support")
    proposal_stances.stance_cast(actor=bob, proposal=p, value="support")
    proposal_stances.stance_cast(actor=carol, proposal=p, value="oppose", section=first)
    # Edited after publishing, and never published again.
    proposal_drafts.section_update(
        actor=people.official, section=second, heading="Limits", body=UNPUBLISHED_TEXT
    )
    draft_proposal = proposal_drafts.proposal_create(
        actor=people.official,
        department=p.department,
        jurisdiction=p.jurisdiction,
        title=DRAFT_TITLE,
        summary="Not yet.",
    )
    p.refresh_from_db()
    return Scene(
        p, alice, bob, carol, visible, reply, formula, hidden, held, deleted, draft_proposal
    )


def build(proposals: list[Proposal] | None = None, *, polis: Proposal | None = None):
    proposals = list(public.proposals().order_by("pk")) if proposals is None else proposals
    buffer = io.BytesIO()
    bulk.write_zip(buffer, proposals=proposals, name="test", title="Test", polis=polis)
    return zipfile.ZipFile(buffer)


def consultation_zip(proposal: Proposal) -> zipfile.ZipFile:
    proposals = list(public.proposals().filter(pk=proposal.pk))
    return build(proposals, polis=proposal)


def csv_rows(archive: zipfile.ZipFile, table: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode("utf-8-sig"))))


def json_rows(archive: zipfile.ZipFile, table: str) -> list[dict]:
    return json.loads(archive.read(f"{table}.json"))


def every_byte(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def another_public(people, like: Proposal) -> Proposal:  # noqa: F811
    """A second consultation, published and scheduled, with nothing said yet."""
    other = proposal_drafts.proposal_create(
        actor=people.official,
        department=like.department,
        jurisdiction=like.jurisdiction,
        title="Quieter nights",
        summary="Less noise.",
    )
    proposal_drafts.section_add(actor=people.official, proposal=other, heading="Noise", body="x")
    proposal_versions.version_publish(actor=people.official, proposal=other, change_note="v1")
    now = timezone.now()
    proposal_lifecycle.proposal_schedule(
        actor=people.official,
        proposal=other,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    return other


@dataclass
class Got:
    response: object
    body: bytes
    # What the request left for on commit (the build or check it queued).
    queued: list

    @property
    def status(self) -> int:
        return self.response.status_code


@pytest.fixture
def get(client, django_capture_on_commit_callbacks):
    """A download. What it queues runs when it ends (in production the
    worker runs it) unless `run=False`, and is returned either way."""

    def get(url: str, *, run: bool = True, **headers) -> Got:
        with django_capture_on_commit_callbacks(execute=run) as queued:
            response = client.get(url, **headers)
            # Reading a streamed body to its end closes it, as a server would.
            streamed = response.streaming
            body = b"".join(response.streaming_content) if streamed else response.content
        return Got(response, body, queued)

    return get
