"""Every edit and transition, for every kind of person.

Only officials of the owning department, or of a department above it, may
edit or move a consultation. Everyone else is refused by the service itself
(not only by the page), and the manage pages do not even admit the draft exists.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.accounts.models import AuditEntry
from proposals.models import Attachment, Proposal, Status
from proposals.services import attachments, drafts, lifecycle, versions
from tests.proposals.conftest import ACTORS, MANAGERS, PDF

pytestmark = pytest.mark.django_db


def _later(days: int):
    return timezone.now() + timedelta(days=days)


def edit_actions(proposal: Proposal) -> dict:
    """Each action an official can take, as a function of the acting user."""
    section = proposal.sections.first()
    return {
        "update details": lambda actor: drafts.proposal_update(
            actor=actor,
            proposal=proposal,
            title="New title",
            summary="New",
            jurisdiction=proposal.jurisdiction,
        ),
        "add section": lambda actor: drafts.section_add(
            actor=actor, proposal=proposal, heading="H", body="B"
        ),
        "edit section": lambda actor: drafts.section_update(
            actor=actor, section=section, heading="H", body="B"
        ),
        "move section": lambda actor: drafts.section_move(
            actor=actor, section=section, direction="down"
        ),
        "remove section": lambda actor: drafts.section_remove(actor=actor, section=section),
        "publish version": lambda actor: versions.version_publish(
            actor=actor, proposal=proposal, change_note="Changed"
        ),
        "attach file": lambda actor: attachments.attachment_add(
            actor=actor, proposal=proposal, upload=SimpleUploadedFile("a.pdf", PDF), title="Annex"
        ),
    }


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize(
    "action",
    [
        "update details",
        "add section",
        "edit section",
        "move section",
        "remove section",
        "publish version",
        "attach file",
    ],
)
def test_edits(published, people, actor_name, action):
    # Give the draft something new so that publishing has a change to freeze.
    drafts.section_add(actor=people.official, proposal=published, heading="New", body="New text")
    act = edit_actions(published)[action]
    actor = people.by_name(actor_name)
    if actor_name in MANAGERS:
        act(actor)
    else:
        audit_before = AuditEntry.objects.count()
        with pytest.raises(PermissionDenied):
            act(actor)
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("actor_name", ACTORS)
def test_schedule(published, people, actor_name):
    actor = people.by_name(actor_name)
    schedule = lambda: lifecycle.proposal_schedule(  # noqa: E731
        actor=actor, proposal=published, opens_at=_later(1), closes_at=_later(30)
    )
    if actor_name in MANAGERS:
        schedule()
        assert Proposal.objects.get(pk=published.pk).status == Status.SCHEDULED
    else:
        with pytest.raises(PermissionDenied):
            schedule()
        assert Proposal.objects.get(pk=published.pk).status == Status.DRAFT


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("transition", ["close early", "extend", "withdraw"])
def test_transitions_of_an_open_consultation(open_proposal, people, actor_name, transition):
    actor = people.by_name(actor_name)
    act = {
        "close early": lambda: lifecycle.proposal_close_early(
            actor=actor, proposal=open_proposal, reason="Done"
        ),
        "extend": lambda: lifecycle.proposal_extend(
            actor=actor, proposal=open_proposal, closes_at=_later(60), reason="More time"
        ),
        "withdraw": lambda: lifecycle.proposal_withdraw(
            actor=actor, proposal=open_proposal, reason="Rethink"
        ),
    }[transition]
    before = Proposal.objects.get(pk=open_proposal.pk)
    if actor_name in MANAGERS:
        act()
        assert AuditEntry.objects.filter(target_id=str(open_proposal.pk), actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            act()
        after = Proposal.objects.get(pk=open_proposal.pk)
        assert (after.status, after.closes_at) == (before.status, before.closes_at)


@pytest.mark.parametrize("actor_name", ACTORS)
def test_remove_attachment(published, people, actor_name):
    attachment = attachments.attachment_add(
        actor=people.official,
        proposal=published,
        upload=SimpleUploadedFile("a.pdf", PDF),
        title="Annex",
    )
    actor = people.by_name(actor_name)
    if actor_name in MANAGERS:
        attachments.attachment_remove(actor=actor, attachment=attachment)
        assert not Attachment.objects.exists()
    else:
        with pytest.raises(PermissionDenied):
            attachments.attachment_remove(actor=actor, attachment=attachment)
        assert Attachment.objects.count() == 1


@pytest.mark.parametrize("actor_name", ACTORS)
def test_create_in_a_department(tree, people, actor_name):
    actor = people.by_name(actor_name)
    create = lambda: drafts.proposal_create(  # noqa: E731
        actor=actor, department=tree.city_office, jurisdiction=tree.city, title="T", summary="S"
    )
    if actor_name in MANAGERS:
        assert create().status == Status.DRAFT
    else:
        with pytest.raises(PermissionDenied):
            create()
        assert not Proposal.objects.exists()


MANAGE_PAGES = ["/manage/{pk}/", "/manage/{pk}/sections/{section}/"]


@pytest.mark.parametrize("actor_name", ACTORS)
def test_manage_pages_admit_only_managers(client, draft, people, actor_name):
    actor = people.by_name(actor_name)
    if actor.is_authenticated:
        client.force_login(actor)
    section = draft.sections.first()
    for template in MANAGE_PAGES:
        url = template.format(pk=draft.pk, section=section.pk)
        response = client.get(url)
        if actor_name == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(
                "/accounts/login/"
            )
        elif actor_name in MANAGERS:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
    response = client.post(f"/manage/{draft.pk}/sections/add/", {"heading": "Sneaky", "body": "x"})
    assert (response.status_code in (302, 404)) and (
        draft.sections.filter(heading="Sneaky").exists() == (actor_name in MANAGERS)
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_a_draft_is_invisible_to_the_public(client, draft, people, actor_name):
    actor = people.by_name(actor_name)
    if actor.is_authenticated:
        client.force_login(actor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == (200 if actor_name in MANAGERS else 404)
