"""The summary run and the response report, through the services and the pages."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from consult.reports import services
from consult.reports.models import (
    PublishedReportError,
    ReportEntry,
    ReportState,
    ResponseReport,
    RunState,
    SummaryRun,
)
from consult.reports.stages import STAGES
from discussion.comments import services as discussion_services
from discussion.moderation import curation
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Follow, Status
from proposals.services import lifecycle, stances

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(open_proposal, people, make_user, tree):
    """Eight citizens: six comment (one comment hidden later), all vote and take stances."""
    sections = list(open_proposal.sections.order_by("order"))
    citizens = [make_user(display_name=f"Resident {i}") for i in range(8)]
    citizens[0].home_jurisdiction = tree.city
    citizens[0].save(update_fields=["home_jurisdiction"])
    texts = [
        "Lower the speed limit near the primary school gates.",
        "Cameras will only raise money; fund crossing patrols instead.",
        "学校门口应该设置更多的人行横道。",
        "Buses must keep their timetables during school street hours.",
        "Residents need exemptions for carers and deliveries.",
        "This comment will be removed by a moderator.",
    ]
    comments = [
        discussion_services.comment_create(
            actor=citizens[i],
            proposal=open_proposal,
            body=text,
            section=sections[i % len(sections)] if i != 3 else None,
        )
        for i, text in enumerate(texts)
    ]
    reply = discussion_services.comment_create(
        actor=citizens[6], proposal=open_proposal, body="Agreed, patrols work.", parent=comments[1]
    )
    for voter in citizens[6:]:
        discussion_services.comment_vote(actor=voter, comment=comments[0], value="agree")
        discussion_services.comment_vote(actor=voter, comment=comments[1], value="disagree")
    discussion_services.comment_vote(actor=citizens[1], comment=comments[0], value="agree")
    values = ["support", "oppose", "neutral", "support", "support", "oppose", "support", "oppose"]
    for citizen, value in zip(citizens, values, strict=True):
        stances.stance_cast(actor=citizen, proposal=open_proposal, value=value)
    stances.stance_cast(
        actor=citizens[0], proposal=open_proposal, section=sections[0], value="oppose"
    )
    curation.comment_theme_add(actor=people.moderator, comment=comments[0], name="Speed")
    curation.comment_theme_add(actor=people.moderator, comment=comments[4], name="Speed")
    moderation.comment_hide(actor=people.moderator, comment=comments[5], reason="Off topic")
    responses.response_post(
        actor=people.official, comment=comments[0], status="accepted", explanation="We agree."
    )
    Follow.objects.create(proposal=open_proposal, user=make_user(display_name="Follower"))
    return {"citizens": citizens, "comments": comments, "reply": reply, "sections": sections}


def run_summary(proposal, actor, django_capture_on_commit_callbacks) -> SummaryRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.summary_start(actor=actor, proposal=proposal)
    run.refresh_from_db()
    return run


def close(proposal, people):
    lifecycle.proposal_close_early(
        actor=people.official, proposal=proposal, reason="The window has ended."
    )
    proposal.refresh_from_db()


def close_and_refresh(report, people, capture) -> ResponseReport:
    """Close the consultation, summarise it again and bring the draft up to date."""
    close(report.proposal, people)
    run_summary(report.proposal, people.official, capture)
    return services.report_draft(actor=people.official, proposal=report.proposal)


def test_a_summary_run_counts_what_was_said(
    open_proposal, people, crowd, django_capture_on_commit_callbacks
):
    run = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert run.state == RunState.DONE and run.progress == 100
    result = run.result
    p = result["participation"]
    # Hidden comment 6 is not counted; its author still took a stance.
    assert (p["comments"], p["replies"], p["comment_votes"]) == (5, 1, 5)
    assert p["participants"] == 8
    assert p["stances"] == 9
    assert {row["name"]: row["participants"] for row in p["jurisdictions"]} == {"City": 1, "": 7}
    whole = result["stances"]["proposal"]
    assert (whole["support"], whole["oppose"], whole["neutral"]) == (4, 3, 1)
    first_section = result["stances"]["sections"][0]
    assert (first_section["oppose"], first_section["total"]) == (1, 1)
    (speed,) = result["themes"]["tagged"]
    assert speed["name"] == "Speed" and speed["comments"] == 2
    assert speed["representative"][0] == crowd["comments"][0].pk  # three agrees
    assert result["coverage"]["comments_answered"] == 1
    assert str(crowd["comments"][0].pk) in result["comments"]
    assert result["groups"]["status"] == "too_few_votes"
    assert run.fingerprint == result["inputs"]["fingerprint"]


def test_the_same_data_gives_the_same_summary(
    open_proposal, people, crowd, django_capture_on_commit_callbacks
):
    first = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    second = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert first.pk != second.pk
    assert json.dumps(first.result, sort_keys=True) == json.dumps(second.result, sort_keys=True)
    discussion_services.comment_vote(
        actor=crowd["citizens"][2], comment=crowd["comments"][0], value="agree"
    )
    third = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert third.fingerprint != first.fingerprint


def test_progress_is_sent_step_by_step(
    open_proposal, people, crowd, django_capture_on_commit_callbacks, monkeypatch
):
    from consult.reports import summary as summary_module

    sent = []
    monkeypatch.setattr(services, "_send", lambda proposal_id, message: sent.append(message))
    real_prepare = summary_module.prepare
    monkeypatch.setattr(
        summary_module, "prepare", lambda: (sent.append({"loaded": True}), real_prepare())
    )
    run = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    # The numeric libraries load first, as a step of their own, not after
    # the reading (where the bar stood still until the end).
    loaded = sent.index({"loaded": True})
    sent.remove({"loaded": True})
    assert [m["stage"] for m in sent[:loaded]] == ["prepare"]
    states = [m["state"] for m in sent]
    assert states[0] == "running" and states[-1] == "done"
    progress = [m["progress"] for m in sent]
    assert progress == sorted(progress) and progress[-1] == 100
    stages = [m["stage"] for m in sent]
    order = [code for code, _label, _end in STAGES]
    assert sorted(set(stages), key=order.index) == [s for s in order if s in stages]
    for stage in ("prepare", "load", "campaigns", "counts", "themes", "groups", "coverage"):
        assert stage in stages
    # Every step moves the bar: values between 25 and 100 as the steps advance.
    between = [m["progress"] for m in sent if 25 < m["progress"] < 100]
    assert len(set(between)) >= 5
    assert {m["stage"] for m in sent if 25 < m["progress"] < 100} >= {
        "campaigns",
        "themes",
        "groups",
        "coverage",
    }
    assert all(m["run"] == run.pk for m in sent)


def test_reading_the_votes_is_told_chunk_by_chunk(open_proposal, crowd, monkeypatch):
    from consult.reports import loader

    monkeypatch.setattr(loader, "CHUNK", 2)
    told = []
    loader.load(open_proposal, progress=told.append)
    assert told == sorted(told) and told[-1] == 1.0
    # Five votes in chunks of two: two reports while reading them.
    assert len([share for share in told if 0.2 < share < 0.8]) == 2


def test_a_failing_run_is_marked_failed_and_can_be_retried(
    open_proposal, people, crowd, django_capture_on_commit_callbacks, monkeypatch, client
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    from consult.reports import summary as summary_module

    monkeypatch.setattr(summary_module, "compute", broken)
    run = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert run.state == RunState.FAILED and run.result is None
    client.force_login(people.official)
    page = client.get(reverse("reports:summary", args=[open_proposal.slug]))
    assert page.status_code == 200
    assert "The last run failed" in page.content.decode()
    monkeypatch.undo()
    again = run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert again.state == RunState.DONE


def test_one_run_at_a_time(open_proposal, people):
    first = services.summary_start(actor=people.official, proposal=open_proposal)
    second = services.summary_start(actor=people.parent_official, proposal=open_proposal)
    assert first.pk == second.pk
    assert SummaryRun.objects.filter(proposal=open_proposal).count() == 1


def test_who_may_compute_and_see_the_summary(open_proposal, people, client, make_user):
    url = reverse("reports:summary", args=[open_proposal.slug])
    assert client.get(url).status_code == 302  # to sign in
    for person, status in [
        (people.citizen, 403),
        (people.other_official, 403),
        (people.moderator, 200),
        (people.official, 200),
        (people.parent_official, 200),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == status, person
    for person in (people.citizen, people.moderator, people.other_official):
        with pytest.raises(PermissionDenied):
            services.summary_start(actor=person, proposal=open_proposal)
        client.force_login(person)
        start = client.post(reverse("reports:summary-start", args=[open_proposal.slug]))
        assert start.status_code == 403
    assert not SummaryRun.objects.exists()


def test_a_draft_proposal_has_no_summary(draft, people):
    with pytest.raises(ValidationError):
        services.summary_start(actor=people.official, proposal=draft)


@pytest.fixture
def drafted(open_proposal, people, crowd, django_capture_on_commit_callbacks):
    run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    return services.report_draft(actor=people.official, proposal=open_proposal)


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
        services.report_publish(actor=people.official, report=drafted)
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
    services.report_save(
        actor=people.official,
        report=drafted,
        revision=drafted.revision,
        intro="Thank you to **everyone**.",
        entries={entry.pk: {"you_said": "Slower.", "we_did": "Lowered it.", "status": "accepted"}},
    )
    gone = crowd["citizens"][7]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    report = services.report_publish(actor=people.official, report=drafted)
    proposal.refresh_from_db()
    assert proposal.status == Status.REPORT_PUBLISHED
    assert report.state == ReportState.PUBLISHED
    snapshot = report.snapshot
    assert snapshot["intro_html"] == "<p>Thank you to <strong>everyone</strong>.</p>\n" or (
        "<strong>everyone</strong>" in snapshot["intro_html"]
    )
    published_entry = next(e for e in snapshot["entries"] if e["key"] == entry.key)
    assert (published_entry["we_did"], published_entry["status"]) == ("Lowered it.", "accepted")
    assert report.snapshot_sha256 == hashlib.sha256(services.canonical(snapshot)).hexdigest()
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
    services.report_publish(actor=people.official, report=drafted)
    with pytest.raises(ValidationError) as twice:
        services.report_publish(actor=people.parent_official, report=drafted)
    assert "already been published" in twice.value.messages[0]
    with pytest.raises(ValidationError) as edit:
        services.report_save(
            actor=people.official,
            report=drafted,
            revision=drafted.revision,
            intro="Changed",
            entries={},
        )
    assert "already been published" in edit.value.messages[0]
    with pytest.raises(ValidationError):
        services.report_draft(actor=people.official, proposal=drafted.proposal)
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
    report = services.report_publish(actor=people.official, report=drafted)
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
    services.report_publish(actor=people.official, report=drafted)
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


def test_a_moderator_adopts_a_suggested_theme(open_proposal, people, client, crowd):
    run = SummaryRun.objects.create(
        proposal=open_proposal,
        state=RunState.DONE,
        result={
            "themes": {
                "tagged": [],
                "suggested": [
                    {
                        "label": "patrols",
                        "terms": ["patrols"],
                        "comments": 2,
                        "comment_ids": [crowd["comments"][1].pk, crowd["reply"].pk],
                        "representative": [],
                    }
                ],
            }
        },
    )
    assert run.pk
    url = reverse("reports:theme-adopt", args=[open_proposal.slug])
    client.force_login(people.official)
    form = {"suggestion": "0", "run": str(run.pk), "name": "Patrols"}
    assert client.post(url, form).status_code == 403
    client.force_login(people.moderator)
    for bad in (
        {**form, "suggestion": "7"},
        {**form, "suggestion": "-1"},
        {**form, "suggestion": "²"},
        {**form, "run": str(run.pk + 1)},  # a summary computed since the page was drawn
        {},
    ):
        page = client.post(url, bad, follow=True)
        assert "no longer in the summary" in page.content.decode()
    assert not crowd["reply"].themes.exists()
    page = client.post(url, form, follow=True)
    assert "Theme “Patrols” added to 2 comments; 0 could not take it" in page.content.decode()
    crowd["reply"].refresh_from_db()
    assert [t.name for t in crowd["reply"].themes.all()] == ["Patrols"]


def test_a_draft_from_before_the_close_or_an_older_summary_is_not_published(
    drafted, people, django_capture_on_commit_callbacks
):
    close(drafted.proposal, people)
    with pytest.raises(ValidationError) as early:
        services.report_publish(actor=people.official, report=drafted)
    assert "computed before the consultation closed" in early.value.messages[0]
    run_summary(drafted.proposal, people.official, django_capture_on_commit_callbacks)
    drafted = services.report_draft(actor=people.official, proposal=drafted.proposal)
    run_summary(drafted.proposal, people.official, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as newer:
        services.report_publish(actor=people.official, report=drafted)
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
    report = services.report_publish(actor=people.official, report=drafted)
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


def test_a_run_whose_worker_died_is_given_up_when_the_page_is_opened(open_proposal, people, client):
    from datetime import timedelta

    from django.utils import timezone

    run = SummaryRun.objects.create(
        proposal=open_proposal,
        state=RunState.RUNNING,
        started_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1),
    )
    client.force_login(people.official)
    page = client.get(reverse("reports:summary", args=[open_proposal.slug]))
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "The last run failed" in page.content.decode()
    # A run given up meanwhile is not overwritten by its late finish.
    assert services.summary_compute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.state == RunState.FAILED


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
