"""What the officials' pages say of a consultation's state: a status line that
matches what the public can see, and a mark when the working draft has
changes that no published version holds yet."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import selectors
from proposals.models import Proposal
from proposals.services import drafts, lifecycle, versions

pytestmark = pytest.mark.django_db

CHANGES = "Unpublished changes since version 1"


def status_line(client, proposal) -> str:
    page = BeautifulSoup(client.get(f"/manage/{proposal.pk}/").content, "html.parser")
    return " ".join(page.select_one("h1 + p.meta").get_text(" ", strip=True).split())


def changed(proposal) -> bool:
    return (
        selectors.with_unpublished_changes(Proposal.objects.filter(pk=proposal.pk))
        .get(pk=proposal.pk)
        .unpublished_changes
    )


def test_a_draft_is_never_said_to_be_public(official_client, draft, people):
    line = status_line(official_client, draft)
    assert line.startswith("Draft") and "Not public yet: no version published" in line
    versions.version_publish(actor=people.official, proposal=draft, change_note="First.")
    line = status_line(official_client, draft)
    assert "is public" not in line
    assert "Not public yet: version 1 is ready" in line


def test_scheduled_and_open_consultations_say_their_version_is_public(
    official_client, published, people
):
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=30),
    )
    line = status_line(official_client, published)
    assert line.startswith("Scheduled") and "Version 1 is public; comments open on" in line
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=timezone.now() - timedelta(minutes=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    line = status_line(official_client, published)
    assert line.startswith("Open") and "Version 1 is public" in line and "Not public" not in line


def test_every_kind_of_change_to_the_working_draft_is_marked(published, people):
    first, second = published.sections.order_by("order", "pk")
    assert not changed(published)
    drafts.section_update(actor=people.official, section=first, heading="Purpose", body="New.")
    assert changed(published)
    # Back to what version 1 says: nothing left to publish.
    drafts.section_update(
        actor=people.official, section=first, heading="Purpose", body="Calmer streets."
    )
    assert not changed(published)
    drafts.section_move(actor=people.official, section=first, direction="down")
    assert changed(published)
    drafts.section_move(actor=people.official, section=first, direction="up")
    assert not changed(published)
    drafts.section_remove(actor=people.official, section=second)
    assert changed(published)
    versions.version_publish(actor=people.official, proposal=published, change_note="Shorter.")
    assert not changed(published)
    drafts.section_add(actor=people.official, proposal=published, heading="New", body="More")
    assert changed(published)


def test_a_draft_without_versions_has_nothing_unpublished_to_mark(draft):
    assert not changed(draft)


def test_the_manage_page_and_dashboard_show_the_mark(official_client, published, people):
    assert CHANGES not in official_client.get(f"/manage/{published.pk}/").content.decode()
    assert CHANGES not in official_client.get("/manage/").content.decode()
    section = published.sections.first()
    drafts.section_update(actor=people.official, section=section, heading="Purpose", body="X")
    assert CHANGES in status_line(official_client, published)
    assert CHANGES in official_client.get("/manage/").content.decode()


def make_drafts(tree, people, n: int) -> None:
    for i in range(n):
        proposal = drafts.proposal_create(
            actor=people.official,
            department=tree.city_office,
            jurisdiction=tree.city,
            title=f"Draft {i}",
            summary="S",
        )
        section = drafts.section_add(
            actor=people.official, proposal=proposal, heading="H", body="B"
        )
        versions.version_publish(actor=people.official, proposal=proposal, change_note="1")
        drafts.section_update(actor=people.official, section=section, heading="H", body="C")


def dashboard_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/manage/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_dashboard_is_a_fixed_number_of_queries(official_client, tree, people):
    make_drafts(tree, people, 1)
    small, _page = dashboard_queries(official_client)
    make_drafts(tree, people, 6)
    large, page = dashboard_queries(official_client)
    assert page.count(CHANGES) == 7
    assert large == small
    # Session, user, the officials' check (two), their departments, the menu's
    # roles and unread count, and the dashboard's reads: the marks that order
    # it, two grouped counts and the page (drafts have no comments to rank:
    # tests/reports/test_workspace.py pins the rest).
    assert small == 11
