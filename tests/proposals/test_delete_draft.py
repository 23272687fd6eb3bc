"""Deleting a draft: only one never published and never taken part in, only by
an official of its department (or above), after a confirmation page, and on
the audit log. Anything else is refused with the reason and keeps every row."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from taggit.models import TaggedItem

from consult.accounts.models import AuditEntry
from discussion.models import Comment
from proposals.models import Attachment, ConsultationQuestion, Proposal, ProposalStance, Section
from proposals.services import attachments, drafts, lifecycle
from tests.proposals.conftest import ACTORS, MANAGERS, PDF

pytestmark = pytest.mark.django_db


def delete_url(proposal) -> str:
    return f"/manage/{proposal.pk}/delete/"


def text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def test_an_official_deletes_a_never_published_draft_after_confirming(
    client, draft, people, django_capture_on_commit_callbacks
):
    attachment = attachments.attachment_add(
        actor=people.official,
        proposal=draft,
        upload=SimpleUploadedFile("annex.pdf", PDF),
        title="Annex",
    )
    storage = Attachment._meta.get_field("file").storage
    stored = attachment.file.name
    assert storage.exists(stored)
    client.force_login(people.official)
    assert "Delete this draft" in client.get(f"/manage/{draft.pk}/").content.decode()
    confirm = client.get(delete_url(draft))
    assert confirm.status_code == 200
    assert "This cannot be undone" in text(confirm)
    assert Proposal.objects.filter(pk=draft.pk).exists()  # a look deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(draft))
    assert response.status_code == 302 and response["Location"] == "/manage/"
    assert "is deleted" in text(client.get("/manage/"))
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert not Section.objects.filter(proposal_id=draft.pk).exists()
    assert not ConsultationQuestion.objects.filter(proposal_id=draft.pk).exists()
    assert not TaggedItem.objects.filter(object_id=draft.pk).exists()
    assert not storage.exists(stored)
    entry = AuditEntry.objects.get(action="proposal.deleted")
    assert entry.actor == people.official
    assert entry.target_id == str(draft.pk) and entry.scope == f"proposal:{draft.pk}"
    assert entry.before["title"] == "Safer streets near schools"


@pytest.mark.parametrize("actor_name", ACTORS)
def test_only_officials_of_the_department_or_above_may_delete(draft, people, actor_name, client):
    actor = people.by_name(actor_name)
    if actor_name in MANAGERS:
        drafts.proposal_delete(actor=actor, proposal=draft)
        assert not Proposal.objects.filter(pk=draft.pk).exists()
        return
    with pytest.raises(PermissionDenied):
        drafts.proposal_delete(actor=actor, proposal=draft)
    if actor_name != "anonymous":
        client.force_login(actor)
        assert client.get(delete_url(draft)).status_code == 404
        assert client.post(delete_url(draft)).status_code == 404
    assert Proposal.objects.filter(pk=draft.pk).exists()
    assert not AuditEntry.objects.filter(action="proposal.deleted").exists()


def assert_refused(client, proposal, message: str) -> None:
    page = client.get(delete_url(proposal))
    assert page.status_code == 200
    assert message in text(page) and "Delete this draft" not in text(page)
    response = client.post(delete_url(proposal))
    assert response.status_code == 400
    assert message in text(response)
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    assert not AuditEntry.objects.filter(action="proposal.deleted").exists()


def test_a_draft_with_a_published_version_is_refused(client, published, people):
    client.force_login(people.official)
    assert_refused(client, published, "version 1 was published")
    with pytest.raises(ValidationError) as refused:
        drafts.proposal_delete(actor=people.official, proposal=published)
    assert refused.value.messages == [drafts.DELETE_HAS_VERSION % {"number": 1}]


def test_a_public_consultation_is_refused_and_pointed_at_withdrawal(client, open_proposal, people):
    client.force_login(people.official)
    assert_refused(client, open_proposal, "withdraw it instead")
    scheduled = open_proposal
    lifecycle.proposal_extend(
        actor=people.official,
        proposal=scheduled,
        closes_at=timezone.now() + timedelta(days=60),
        reason="More time",
    )
    assert "Delete this draft" not in text(client.get(f"/manage/{open_proposal.pk}/"))


@pytest.mark.parametrize("taken_part", ["stance", "comment"])
def test_a_draft_someone_took_part_in_is_refused(client, draft, people, taken_part):
    if taken_part == "stance":
        ProposalStance.objects.create(proposal=draft, user=people.citizen, value="support")
    else:
        Comment.objects.create(proposal=draft, author=people.citizen, body="x", body_html="x")
    client.force_login(people.official)
    assert_refused(client, draft, "commented on it or taken a stance")
