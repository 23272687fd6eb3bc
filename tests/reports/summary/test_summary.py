"""The summary: a run, its progress, who may run and see it, adopting a suggested theme."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consult.reports.models import (
    RunState,
    SummaryRun,
)
from consult.reports.summary.running import summary_compute
from consult.reports.summary.services import STALE_AFTER, summary_start
from consult.reports.summary.stages import STAGES
from discussion.comments import services as discussion_services
from tests.reports.helpers import run_summary

pytestmark = pytest.mark.django_db


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
    from consult.reports.summary import computing as summary_module
    from consult.reports.summary import progress

    sent = []
    monkeypatch.setattr(progress, "send", lambda proposal_id, message: sent.append(message))
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
    from consult.reports.summary import loader

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

    from consult.reports.summary import computing as summary_module

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
    first = summary_start(actor=people.official, proposal=open_proposal)
    second = summary_start(actor=people.parent_official, proposal=open_proposal)
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
            summary_start(actor=person, proposal=open_proposal)
        client.force_login(person)
        start = client.post(reverse("reports:summary-start", args=[open_proposal.slug]))
        assert start.status_code == 403
    assert not SummaryRun.objects.exists()


def test_a_draft_proposal_has_no_summary(draft, people):
    with pytest.raises(ValidationError):
        summary_start(actor=people.official, proposal=draft)


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


def test_a_run_whose_worker_died_is_given_up_when_the_page_is_opened(open_proposal, people, client):
    from datetime import timedelta

    from django.utils import timezone

    run = SummaryRun.objects.create(
        proposal=open_proposal,
        state=RunState.RUNNING,
        started_at=timezone.now() - STALE_AFTER - timedelta(minutes=1),
    )
    client.force_login(people.official)
    page = client.get(reverse("reports:summary", args=[open_proposal.slug]))
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "The last run failed" in page.content.decode()
    # A run given up meanwhile is not overwritten by its late finish.
    assert summary_compute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.state == RunState.FAILED
