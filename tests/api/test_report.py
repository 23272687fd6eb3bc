"""A published report through the API: the snapshot as the public page shows it."""

from __future__ import annotations

import json

import pytest

from consult.reports.report.drafting import report_draft
from consult.reports.report.publishing import report_publish
from discussion.models import Comment
from discussion.moderation import services as moderation
from tests.reports.conftest import crowd  # noqa: F401 - fixture
from tests.reports.helpers import close_and_refresh, run_summary

pytestmark = pytest.mark.django_db


def test_the_published_report_withholds_words_hidden_since(
    client_api,
    open_proposal,
    people,
    crowd,  # noqa: F811 - the imported fixture
    django_capture_on_commit_callbacks,
):
    url = f"/api/v1/consultations/{open_proposal.slug}/report/"
    run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    drafted = report_draft(actor=people.official, proposal=open_proposal)
    assert client_api.get(url).status_code == 404  # a draft report is not public
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    report = report_publish(actor=people.official, report=drafted)
    data = json.loads(client_api.get(url).content)
    assert data["sha256"] == report.snapshot_sha256
    assert data["snapshot"]["entries"] and set(data["downloads"]) == {"pdf", "csv", "json"}
    quoted = next(iter(report.snapshot["summary"]["comments"]))
    comment = Comment.objects.get(pk=quoted)
    assert comment.body[:30] in client_api.get(url).content.decode()
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Personal details")
    after = json.loads(client_api.get(url).content)
    assert quoted not in after["snapshot"]["summary"]["comments"]
    assert comment.body[:30] not in json.dumps(after, ensure_ascii=False)
    listed = json.loads(client_api.get("/api/v1/consultations/").content)["results"][0]
    assert listed["status"] == "report_published" and listed["links"]["report"].endswith(url)
