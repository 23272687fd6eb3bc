"""Officials' screens: the whole flow without JavaScript, and bad input that
gets a clear message on the form and writes nothing."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.accounts.models import AuditEntry
from proposals.models import SECTION_MAX_LENGTH, Attachment, Proposal, Section, Status

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime(FMT)


def errors(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    summary = soup.find(class_="form-error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


def test_an_official_drafts_publishes_and_schedules_through_the_forms(official_client, tree):
    response = official_client.post(
        "/manage/new/",
        {
            "department": tree.city_office.pk,
            "jurisdiction": tree.city.pk,
            "title": "Street trees plan",
            "summary": "Ten thousand trees.",
            "tags": "environment， trees",
            "questions": "Which street needs shade most?\n\n",
        },
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/manage/{proposal.pk}/"
    assert sorted(t.name for t in proposal.tags.all()) == ["environment", "trees"]
    assert [q.prompt for q in proposal.questions.all()] == ["Which street needs shade most?"]

    for heading in ("Planting", "Care"):
        official_client.post(
            f"/manage/{proposal.pk}/sections/add/",
            {"heading": heading, "body": f"*{heading}* text"},
        )
    care = Section.objects.get(heading="Care")
    official_client.post(f"/manage/{proposal.pk}/sections/{care.pk}/move/", {"direction": "up"})
    assert [s.heading for s in proposal.sections.order_by("order")] == ["Care", "Planting"]

    official_client.post(f"/manage/{proposal.pk}/publish/", {"change_note": "First draft"})
    response = official_client.post(
        f"/manage/{proposal.pk}/schedule/",
        {"opens_at": local(timedelta(days=1)), "closes_at": local(timedelta(days=30))},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.SCHEDULED
    assert (
        proposal.current_version.section_versions.first().body_html == "<p><em>Care</em> text</p>\n"
    )
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "proposal.created",
        "proposal.version_published",
        "proposal.scheduled",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"title": "   "}, "This field is required"),
        ({"summary": ""}, "This field is required"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"contact_email": "not-an-email"}, "valid email"),
        ({"department": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_draft_details_get_a_message_and_write_nothing(official_client, tree, data, message):
    base = {
        "department": tree.city_office.pk,
        "jurisdiction": tree.city.pk,
        "title": "T",
        "summary": "S",
    }
    response = official_client.post("/manage/new/", {**base, **data})
    assert response.status_code == 400
    assert message in errors(response)
    assert not Proposal.objects.exists()


def test_an_official_cannot_create_in_a_department_they_do_not_serve(official_client, tree):
    response = official_client.post(
        "/manage/new/",
        {
            "department": tree.other_ministry.pk,
            "jurisdiction": tree.nation.pk,
            "title": "T",
            "summary": "S",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in errors(response)
    assert not Proposal.objects.exists()


def test_a_section_over_the_size_limit_gets_a_message_and_writes_nothing(official_client, draft):
    body = "word " * (SECTION_MAX_LENGTH // 5 + 10)
    response = official_client.post(
        f"/manage/{draft.pk}/sections/add/", {"heading": "Too long", "body": body}
    )
    assert response.status_code == 400
    assert f"at most {SECTION_MAX_LENGTH} characters; this one has {len(body.strip())}" in errors(
        response
    )
    assert not draft.sections.filter(heading="Too long").exists()
    # The text the official typed is still in the form, not lost.
    assert "word word word" in response.content.decode()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(days=10), timedelta(days=5), "must close after it opens"),
        (timedelta(days=-10), timedelta(days=-5), "must be in the future"),
        (None, timedelta(days=5), "This field is required"),
    ],
)
def test_dates_in_the_wrong_order_get_a_message_and_write_nothing(
    official_client, published, opens, closes, message
):
    data = {"closes_at": local(closes), "opens_at": local(opens) if opens else ""}
    response = official_client.post(f"/manage/{published.pk}/schedule/", data)
    assert response.status_code == 400
    assert message in errors(response)
    published.refresh_from_db()
    assert (published.status, published.opens_at, published.closes_at) == (Status.DRAFT, None, None)


def test_garbage_dates_get_a_message(official_client, published):
    response = official_client.post(
        f"/manage/{published.pk}/schedule/", {"opens_at": "yesterday", "closes_at": "13/45/2026"}
    )
    assert response.status_code == 400
    assert "Enter a valid date/time" in errors(response)


def test_a_file_whose_content_does_not_match_its_type_gets_a_message(
    official_client, published, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    response = official_client.post(
        f"/manage/{published.pk}/attachments/",
        {"attachment-file": SimpleUploadedFile("annex.pdf", png), "attachment-title": "Annex"},
    )
    assert response.status_code == 400
    assert "content is a PNG image but its name ends in .pdf" in errors(response)
    assert not Attachment.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_closing_early_without_a_reason_gets_a_message(official_client, open_proposal):
    response = official_client.post(f"/manage/{open_proposal.pk}/close/", {"close-reason": ""})
    assert response.status_code == 400
    assert "This field is required" in errors(response)
    assert Proposal.objects.get(pk=open_proposal.pk).effective_status() == Status.OPEN


def test_publishing_with_nothing_new_says_so(official_client, published):
    response = official_client.post(f"/manage/{published.pk}/publish/", {"change_note": "again"})
    assert response.status_code == 400
    assert "Nothing has changed since version 1" in errors(response)


def test_manage_page_and_dashboard_render_for_every_state(official_client, open_proposal, people):
    from proposals.services import lifecycle

    assert official_client.get("/manage/").status_code == 200
    assert official_client.get(f"/manage/{open_proposal.pk}/").status_code == 200
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    assert official_client.get(f"/manage/{open_proposal.pk}/").status_code == 200
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Gone")
    page = official_client.get(f"/manage/{open_proposal.pk}/").content.decode()
    assert "Withdraw consultation" not in page


def test_citizens_have_no_dashboard(client, people):
    client.force_login(people.citizen)
    assert client.get("/manage/").status_code == 403
    assert client.get("/manage/new/").status_code == 403
