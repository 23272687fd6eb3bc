"""Edges found in review: what must never become public, stale edits, odd input."""

import io
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.infra import files
from proposals.models import Proposal, Section, SectionStance
from proposals.services import attachments, common, drafts, lifecycle, stances, versions

pytestmark = pytest.mark.django_db


def test_a_draft_cannot_be_withdrawn_into_public_view(client, draft, people):
    with pytest.raises(ValidationError, match="while the consultation is draft"):
        lifecycle.proposal_withdraw(actor=people.official, proposal=draft, reason="Never mind")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Safer streets" not in client.get("/consultations/?q=safer").content.decode()


def test_stances_only_on_sections_of_the_published_text(open_proposal, people):
    unpublished = drafts.section_add(
        actor=people.official, proposal=open_proposal, heading="New", body="Not yet public"
    )
    with pytest.raises(ValidationError, match="not part of the published text"):
        stances.stance_cast(
            actor=people.citizen, proposal=open_proposal, section=unpublished, value="support"
        )
    removed = open_proposal.sections.get(heading="Limits")
    drafts.section_remove(actor=people.official, section=removed)
    versions.version_publish(actor=people.official, proposal=open_proposal, change_note="v2")
    with pytest.raises(ValidationError, match="not part of the published text"):
        stances.stance_cast(
            actor=people.citizen, proposal=open_proposal, section=removed, value="support"
        )
    assert not SectionStance.objects.exists()


def test_two_officials_editing_one_section_do_not_overwrite_each_other(client, draft, people):
    section = draft.sections.first()
    url = f"/manage/{draft.pk}/sections/{section.pk}/"
    client.force_login(people.official)
    drafts.section_update(
        actor=people.parent_official,
        section=section,
        heading="Purpose",
        body="Their text",
        revision=0,
    )
    response = client.post(url, {"heading": "Purpose", "body": "My text", "revision": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this section" in page
    assert "My text" in page and "Their text" in page
    assert Section.objects.get(pk=section.pk).body == "Their text"
    # Saving again from the conflict page knowingly replaces their version.
    response = client.post(url, {"heading": "Purpose", "body": "My text", "revision": "1"})
    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).body == "My text"


def test_a_slug_taken_between_check_and_insert_gets_a_fresh_one(tree, people, monkeypatch):
    first = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Same",
        summary="S",
    )
    real = common.draft_slug
    calls = []

    def stale(title):
        calls.append(title)
        return first.slug if len(calls) == 1 else real(title)

    monkeypatch.setattr(common, "draft_slug", stale)
    second = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Same",
        summary="S",
    )
    assert calls == ["Same", "Same"]
    assert second.slug.startswith("same-") and second.slug != first.slug
    assert Proposal.objects.count() == 2


def test_documents_of_a_withdrawn_consultation_stay_on_the_record(open_proposal, people):
    pdf = attachments.attachment_add(
        actor=people.official,
        proposal=open_proposal,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        title="A",
    )
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Superseded")
    with pytest.raises(ValidationError, match="withdrawn"):
        attachments.attachment_remove(actor=people.official, attachment=pdf)
    section = open_proposal.sections.first()
    with pytest.raises(ValidationError, match="withdrawn"):
        drafts.section_move(actor=people.official, section=section, direction="down")


def test_topics_ignore_case_and_are_limited(tree, people):
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="T",
        summary="S",
        tags=["Housing"],
    )
    other = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="U",
        summary="S",
        tags=["housing"],
    )
    assert list(proposal.tags.values_list("pk", flat=True)) == list(
        other.tags.values_list("pk", flat=True)
    )
    with pytest.raises(ValidationError, match="at most 20 topics"):
        drafts.proposal_create(
            actor=people.official,
            department=tree.city_office,
            jurisdiction=tree.city,
            title="V",
            summary="S",
            tags=[f"t{n}" for n in range(21)],
        )


def test_a_zip_bomb_in_an_office_file_is_not_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\x00" * (200 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    tracemalloc.start()
    assert files.sniff(buffer) is None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_odd_addresses_are_not_found(client, open_proposal):
    for path in (
        "/consultations/%00/",
        "/consultations/a%2Fb/",
        "/consultations/" + "x" * 300 + "/",
    ):
        assert client.get(path).status_code == 404


def test_one_bad_filter_does_not_throw_away_the_others(client, open_proposal, published):
    response = client.get("/consultations/?status=bogus&q=safer")
    assert [p.title for p in response.context["page"].object_list] == ["Safer streets near schools"]
    response = client.get("/consultations/?q=" + "safer " * 100)
    assert response.status_code == 200


def test_deadline_sort_puts_what_is_still_open_first(client, tree, people, open_proposal):
    closed = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Old",
        summary="S",
    )
    drafts.section_add(actor=people.official, proposal=closed, heading="H", body="B")
    versions.version_publish(actor=people.official, proposal=closed, change_note="v1")
    now = timezone.now()
    Proposal.objects.filter(pk=closed.pk).update(
        status="closed", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30)
    )
    titles = [
        p.title for p in client.get("/consultations/?sort=deadline").context["page"].object_list
    ]
    assert titles == ["Safer streets near schools", "Old"]


def test_refused_moves_and_removals_on_a_withdrawn_consultation_are_messages_not_errors(
    client, open_proposal, people
):
    pdf = attachments.attachment_add(
        actor=people.official,
        proposal=open_proposal,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        title="A",
    )
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Superseded")
    client.force_login(people.official)
    section = open_proposal.sections.first()
    for url, data in (
        (f"/manage/{open_proposal.pk}/attachments/{pdf.pk}/remove/", {}),
        (f"/manage/{open_proposal.pk}/sections/{section.pk}/move/", {"direction": "down"}),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "while the consultation is withdrawn" in response.content.decode()
