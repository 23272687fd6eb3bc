"""People in every role around one ministry, and drafts built through the services."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consult.accounts.models import Role, User
from proposals.models import Proposal
from proposals.services import drafts, lifecycle, versions


@dataclass
class People:
    anonymous: AnonymousUser
    citizen: User
    moderator: User  # moderator of the owning department
    official: User  # official of the owning department (the city office)
    parent_official: User  # official of the ministry above it
    other_official: User  # official of an unrelated ministry

    def by_name(self, name: str):
        return getattr(self, name)


ACTORS = ["anonymous", "citizen", "moderator", "official", "parent_official", "other_official"]
MANAGERS = {"official", "parent_official"}
# The smallest file the sniffer takes for a PDF.
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads in these tests go to a folder of their own, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(tree, make_user, grant) -> People:
    return People(
        anonymous=AnonymousUser(),
        citizen=make_user(display_name="Citizen"),
        moderator=grant(make_user(display_name="Moderator"), tree.city_office, Role.MODERATOR),
        official=grant(make_user(display_name="Official"), tree.city_office, Role.OFFICIAL),
        parent_official=grant(make_user(display_name="Parent"), tree.ministry, Role.OFFICIAL),
        other_official=grant(make_user(display_name="Other"), tree.other_ministry, Role.OFFICIAL),
    )


@pytest.fixture
def official_client(client, people):
    """The test client, signed in as an official of the owning department."""
    client.force_login(people.official)
    return client


@pytest.fixture
def draft(tree, people) -> Proposal:
    """A draft of the city office with two sections and no version yet."""
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Safer streets near schools",
        summary="A 20 km/h limit near schools.",
        tags=["transport", "road safety"],
        questions=["Would this change how you travel?"],
    )
    drafts.section_add(
        actor=people.official, proposal=proposal, heading="Purpose", body="Calmer streets."
    )
    drafts.section_add(
        actor=people.official, proposal=proposal, heading="Limits", body="20 km/h at all times."
    )
    return proposal


@pytest.fixture
def published(draft, people) -> Proposal:
    versions.version_publish(actor=people.official, proposal=draft, change_note="First draft.")
    draft.refresh_from_db()
    return draft


@pytest.fixture
def open_proposal(published, people) -> Proposal:
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=30),
    )
    published.refresh_from_db()
    return published
