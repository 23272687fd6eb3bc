"""The response report: drafting, editing, preview, publication, evidence and downloads."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from consult.reports.models import (
    PublishedReportError,
    ReportEntry,
    ReportState,
    ResponseReport,
)
from consult.reports.report.drafting import report_draft
from consult.reports.report.editing import report_save
from consult.reports.report.publishing import report_publish
from consult.reports.report.snapshots import canonical
from discussion.moderation import services as moderation
from proposals.models import Follow, Status
from tests.reports.helpers import close, close_and_refresh, run_summary

pytestmark = pytest.mark.django_db


def test_drafting_makes_an_entry_per_theme_and_section(drafted, crowd):
    entries = list(drafted.entries.order_by("order"))
    assert (entries[0].kind, entries[0].title) == ("theme", "Speed")
    assert [e.key for e in entries if e.kind == "section"] == [str(s.pk) for s in crowd["sections"]]
    first_section = next(e for e in entries if e.kind == "section")
    assert (
        "1 people who took a stance" in first_section.you_said or "Of 1" in first_section.you_said
    )


def test_publishing_before_the_consultation_closes_is_refused(drafted, people, client):
    with pytest.raises(ValidationError) as refused:
        report_publish(actor=people.official, report=drafted)
    assert "still open" in refused.value.messages[0]
    client.force_login(people.official)
    page = client.post(reverse("reports:report-publish", args=[drafted.proposal.slug]), follow=True)
    assert "still open" in page.content.decode()
    drafted.refresh_from_db()
    assert drafted.state == ReportState.DRAFT and drafted.snapshot is None
    assert drafted.proposal.effective_status() == Status.OPEN


def test_publishing_freezes_a_snapshot_and_tells_everyone(
    drafted, people, crowd, django_capture_on_commit_callbacks
):
    proposal = drafted.proposal
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    entry = drafted.entries.filter(kind="section").first()
    report_save(
        actor=people.official,
        report=drafted,
        revision=drafted.revision,
        intro="Thank you to **everyone**.",
        entries={entry.pk: {"you_said": "Slower.", "we_did": "Lowered it.", "status": "accepted"}},
    )
    gone = crowd["citizens"][7]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    report = report_publish(actor=people.official, report=drafted)
    proposal.refresh_from_db()
    assert proposal.status == Status.REPORT_PUBLISHED
    assert report.state == ReportState.PUBLISHED
    snapshot = report.snapshot
    assert snapshot["intro_html"] == "<p>Thank you to <strong>everyone</strong>.</p>\n" or (
        "<strong>everyone</strong>" in snapshot["intro_html"]
    )
    published_entry = next(e for e in snapshot["entries"] if e["key"] == entry.key)
    assert (published_entry["we_did"], published_entry["status"]) == ("Lowered it.", "accepted")
    assert report.snapshot_sha256 == hashlib.sha256(canonical(snapshot)).hexdigest()
    told = set(
        Notification.objects.filter(kind="report", key=f"report:{proposal.pk}").values_list(
            "recipient_id", flat=True
        )
    )
    expected = {c.pk for c in crowd["citizens"] if c.is_active} | set(
        Follow.objects.filter(proposal=proposal).values_list("user_id", flat=True)
    )
    assert told == expected
    assert people.official.pk not in told
    assert AuditEntry.objects.filter(action="report.publish").count() == 1


def test_publishing_twice_and_editing_afterwards_are_refused(
    drafted, people, client, django_capture_on_commit_callbacks
):
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    report_publish(actor=people.official, report=drafted)
    with pytest.raises(ValidationError) as twice:
        report_publish(actor=people.parent_official, report=drafted)
    assert "already been published" in twice.value.messages[0]
    with pytest.raises(ValidationError) as edit:
        report_save(
            actor=people.official,
            report=drafted,
            revision=drafted.revision,
            intro="Changed",
            entries={},
        )
    assert "already been published" in edit.value.messages[0]
    with pytest.raises(ValidationError):
        report_draft(actor=people.official, proposal=drafted.proposal)
    drafted.refresh_from_db()
    drafted.intro = "Changed behind the service's back"
    with pytest.raises(PublishedReportError):
        drafted.save()
    entry = ReportEntry.objects.filter(report=drafted).first()
    entry.we_did = "Rewritten"
    with pytest.raises(PublishedReportError):
        entry.save()
    client.force_login(people.official)
    page = client.post(
        reverse("reports:report-edit", args=[drafted.proposal.slug]),
        {"revision": drafted.revision, "intro": "x"},
        follow=True,
    )
    assert "already been published" in page.content.decode()
    assert ResponseReport.objects.get(pk=drafted.pk).intro == ""


def test_a_stale_or_bad_draft_save_keeps_the_words(drafted, people, client):
    entry = drafted.entries.first()
    client.force_login(people.official)
    url = reverse("reports:report-edit", args=[drafted.proposal.slug])
    long_text = "y" * 10_001
    page = client.post(
        url,
        {
            "revision": drafted.revision,
            "intro": "My introduction",
            f"entry-{entry.pk}-we_did": long_text,
            f"entry-{entry.pk}-status": "maybe",
            f"entry-{entry.pk}-version": "99",
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "My introduction" in body and long_text in body
    assert "At most 10000 characters" in body
    stale = client.post(url, {"revision": drafted.revision - 1, "intro": "Older"})
    assert stale.status_code == 400
    assert "Someone else saved this report" in stale.content.decode()
    drafted.refresh_from_db()
    assert drafted.intro == ""
    ok = client.post(url, {"revision": drafted.revision, "intro": "Fine\x00 now"})
    assert ok.status_code == 302
    drafted.refresh_from_db()
    assert drafted.intro == "Fine now"


def test_the_public_report_and_its_downloads(
    drafted, people, client, crowd, django_capture_on_commit_callbacks
):
    slug = drafted.proposal.slug
    assert client.get(reverse("reports:public", args=[slug])).status_code == 404
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    report = report_publish(actor=people.official, report=drafted)
    page = client.get(reverse("reports:public", args=[slug]))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    data = client.get(reverse("reports:download", args=[slug, "json"]))
    assert data["Content-Disposition"].startswith("attachment")
    assert json.loads(data.content) == report.snapshot
    table = client.get(reverse("reports:download", args=[slug, "csv"]))
    assert table.content.startswith(b"\xef\xbb\xbf")
    pdf = client.get(reverse("reports:download", args=[slug, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports:download", args=[slug, "exe"])).status_code == 404


def test_evidence_lists_the_public_comments_behind_a_figure(
    drafted, people, client, crowd, django_capture_on_commit_callbacks
):
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    report_publish(actor=people.official, report=drafted)
    url = reverse("reports:evidence", args=[drafted.proposal.slug])
    page = client.get(url, {"key": "theme:speed"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lower the speed limit" in body and "Residents need exemptions" in body
    # The hidden comment (the sixth) is on the second section, with the reply.
    section = crowd["sections"][1]
    on_section = client.get(url, {"key": f"section:{section.pk}"}).content.decode()
    assert "Cameras will only raise money" in on_section
    assert "removed by a moderator" not in on_section
    assert "The figure counted 2 comments; 2 of them can still be read here." in on_section
    for bad in ["", "theme:nope", "group:99", "comment:abc", "x" * 500, "section:1e9"]:
        assert client.get(url, {"key": bad}).status_code == 404
    for digits in ["section:²", "comment:١٢", "campaign:٣"]:
        assert client.get(url, {"key": digits}).status_code == 404


def test_a_draft_from_before_the_close_or_an_older_summary_is_not_published(
    drafted, people, django_capture_on_commit_callbacks
):
    close(drafted.proposal, people)
    with pytest.raises(ValidationError) as early:
        report_publish(actor=people.official, report=drafted)
    assert "computed before the consultation closed" in early.value.messages[0]
    run_summary(drafted.proposal, people.official, django_capture_on_commit_callbacks)
    drafted = report_draft(actor=people.official, proposal=drafted.proposal)
    run_summary(drafted.proposal, people.official, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as newer:
        report_publish(actor=people.official, report=drafted)
    assert "newer summary" in newer.value.messages[0]
    drafted.refresh_from_db()
    assert drafted.state == ReportState.DRAFT


def test_words_of_a_comment_hidden_after_the_summary_are_never_published(
    drafted, people, client, crowd, django_capture_on_commit_callbacks
):
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    top = crowd["comments"][0]
    theme = drafted.entries.get(kind="theme")
    assert "> Lower the speed limit near the primary school gates." in theme.you_said
    moderation.comment_hide(actor=people.moderator, comment=top, reason="Personal data")
    report = report_publish(actor=people.official, report=drafted)
    stored = json.dumps(report.snapshot, ensure_ascii=False)
    assert "Lower the speed limit" not in stored
    assert str(top.pk) not in report.snapshot["summary"]["comments"]
    # And a comment hidden after publication disappears from what is shown.
    second = crowd["comments"][4]
    assert "Residents need exemptions" in json.dumps(report.snapshot)
    moderation.comment_hide(actor=people.moderator, comment=second, reason="Personal data")
    slug = drafted.proposal.slug
    page = client.get(reverse("reports:public", args=[slug])).content.decode()
    data = client.get(reverse("reports:download", args=[slug, "json"])).content.decode()
    for shown in (page, data):
        assert "Residents need exemptions" not in shown
    # The stored snapshot itself is unchanged.
    assert "Residents need exemptions" in json.dumps(
        ResponseReport.objects.get(pk=report.pk).snapshot
    )


@pytest.mark.parametrize("who", ["citizen", "moderator", "other_official"])
def test_only_officials_draft_preview_and_publish(drafted, people, client, who):
    client.force_login(getattr(people, who))
    slug = drafted.proposal.slug
    for name, method in [
        ("reports:report-draft", "post"),
        ("reports:report-edit", "get"),
        ("reports:report-edit", "post"),
        ("reports:report-preview", "get"),
        ("reports:report-publish", "post"),
        ("reports:summary-start", "post"),
    ]:
        response = getattr(client, method)(reverse(name, args=[slug]))
        assert response.status_code == 403, (name, method)
    drafted.refresh_from_db()
    assert drafted.state == ReportState.DRAFT


def test_hostile_numbers_in_the_draft_form_are_refused_without_a_crash(drafted, people, client):
    client.force_login(people.official)
    url = reverse("reports:report-edit", args=[drafted.proposal.slug])
    entry = drafted.entries.first()
    for revision in ["²", "-1", "99999999999999999999", ""]:
        page = client.post(url, {"revision": revision, "intro": "x"})
        assert page.status_code == 400
        assert "Someone else saved this report" in page.content.decode()
    page = client.post(
        url, {"revision": drafted.revision, "intro": "x", f"entry-{entry.pk}-version": "²"}
    )
    assert page.status_code == 400
    assert "Choose one of this consultation" in page.content.decode()
    drafted.refresh_from_db()
    assert drafted.intro == ""


def test_preview_links_to_the_drafts_own_summary(
    drafted, people, client, django_capture_on_commit_callbacks
):
    run_summary(drafted.proposal, people.official, django_capture_on_commit_callbacks)
    client.force_login(people.official)
    page = client.get(reverse("reports:report-preview", args=[drafted.proposal.slug]))
    assert page.status_code == 200
    own = reverse(
        "reports:summary-run-evidence", args=[drafted.proposal.slug, drafted.summary_run_id]
    )
    assert own in page.content.decode()
    assert client.get(own, {"key": "theme:speed"}).status_code == 200
