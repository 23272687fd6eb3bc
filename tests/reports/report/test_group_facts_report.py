"""The published report links the group-informed consensus to its comments."""

import itertools

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from consult.reports.report.publishing import report_publish
from tests.reports.factories import sample_snapshot, with_group_facts
from tests.reports.helpers import close_and_refresh

pytestmark = pytest.mark.django_db


def test_the_published_report_shows_and_links_the_group_informed_consensus(
    drafted, people, client, crowd, django_capture_on_commit_callbacks
):
    drafted = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    run = drafted.summary_run
    groups = with_group_facts(sample_snapshot())["summary"]["groups"]
    first, second = crowd["comments"][0].pk, crowd["comments"][1].pk
    groups["group_consensus"][0]["comment"] = first
    groups["group_consensus"][1]["comment"] = second
    run.result["groups"] = groups
    run.save(update_fields=["result"])
    report_publish(actor=people.official, report=drafted)
    slug = drafted.proposal.slug

    page = client.get(reverse("reports:public", args=[slug]))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    informed = soup.find(id="figure-group-consensus")
    assert "Group A 90%, Group B 89% (all groups together: 80.8%)" in informed.get_text()
    assert "less than once in 100" in soup.find(id="report-groups-certainty").get_text()
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4"])]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))

    url = reverse("reports:evidence", args=[slug])
    assert informed.find("a", href=f"{url}?key=group_consensus") is not None
    evidence = client.get(url, {"key": "group_consensus"})
    assert evidence.status_code == 200
    body = evidence.content.decode()
    assert "Comments most agreed across all opinion groups" in body
    assert "Lower the speed limit near the primary school gates." in body
    assert "Cameras will only raise money" in body
