"""The summary page says how sure the opinion groups are and lists Polis's
group-informed consensus, with its evidence; summaries stored before these
facts existed still show."""

import copy

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from consult.reports.models import RunState, SummaryRun
from consult.reports.summary.computing import _referenced
from tests.reports.factories import sample_snapshot, with_group_facts, without_groups

pytestmark = pytest.mark.django_db


def _result(crowd, snapshot: dict) -> dict:
    """The sample summary, pointed at the crowd's real comments: the
    group-informed consensus names the first two."""
    result = copy.deepcopy(snapshot["summary"])
    first, second = (comment.pk for comment in crowd["comments"][:2])
    for row, pk in zip(
        result["groups"].get("group_consensus") or [], (first, second), strict=False
    ):
        row["comment"] = pk
    for pk, text in ((first, "Lower the speed limit"), (second, "Cameras will only raise money")):
        result["comments"][str(pk)] = {
            "excerpt": text,
            "section": None,
            "created": "2025-03-02T10:00:00+00:00",
            "agree": 3,
            "disagree": 1,
            "pass": 0,
        }
    return result


def _summary_page(client, people, proposal, result: dict, **headers) -> BeautifulSoup:
    SummaryRun.objects.create(proposal=proposal, state=RunState.DONE, progress=100, result=result)
    client.force_login(people.official)
    page = client.get(reverse("reports:summary", args=[proposal.slug]), **headers)
    assert page.status_code == 200
    return BeautifulSoup(page.content.decode(), "html.parser")


def test_the_summary_says_how_sure_the_groups_are_and_lists_group_informed_consensus(
    open_proposal, people, client, crowd
):
    result = _result(crowd, with_group_facts(sample_snapshot()))
    soup = _summary_page(client, people, open_proposal, result)
    certainty = soup.find(id="groups-certainty").get_text()
    assert "The same votes were reshuffled 99 times" in certainty
    assert "less than once in 100" in certainty
    assert "these groups score 0.43" in certainty
    heading = soup.find(id="group-consensus-title")
    assert heading.name == "h3" and heading.get_text() == "Most agreed across all groups"
    listed = soup.find("ol", class_="summary-group-consensus").find_all("li", recursive=False)
    assert "Agree, in each group: Group A 90%, Group B 89%" in listed[0].get_text()
    assert "Lower the speed limit" in listed[0].get_text()
    assert "Disagree, in each group: Group A 70%, Group B 60%" in listed[1].get_text()
    assert "Cameras will only raise money" in listed[1].get_text()
    evidence = reverse("reports:summary-evidence", args=[open_proposal.slug])
    assert soup.find("a", href=f"{evidence}?key=group_consensus") is not None
    # The every-group consensus keeps its place.
    assert "What all groups agree on" in soup.get_text()


def test_the_group_informed_consensus_evidence_lists_its_comments(
    open_proposal, people, client, crowd
):
    result = _result(crowd, with_group_facts(sample_snapshot()))
    _summary_page(client, people, open_proposal, result)
    url = reverse("reports:summary-evidence", args=[open_proposal.slug])
    page = client.get(url, {"key": "group_consensus"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Comments most agreed across all opinion groups" in body
    assert "Lower the speed limit near the primary school gates." in body
    assert "Cameras will only raise money" in body
    assert "The figure counted 2 comments; 2 of them can still be read here." in body


def test_an_empty_group_informed_consensus_says_so(open_proposal, people, client, crowd):
    result = _result(crowd, with_group_facts(sample_snapshot(), informed=False))
    soup = _summary_page(client, people, open_proposal, result)
    assert soup.find(id="group-consensus-title") is not None
    assert "No comment does well in every group." in soup.get_text()
    assert soup.find("ol", class_="summary-group-consensus") is None


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("not_above_chance", "37 of those 99 reshufflings gave groups at least as clear as these"),
        ("small_groups", "leave a group of fewer than 5 people, too few to describe"),
    ],
)
def test_groups_not_shown_say_why(open_proposal, people, client, crowd, reason, words):
    result = _result(crowd, without_groups(sample_snapshot(), reason=reason))
    soup = _summary_page(client, people, open_proposal, result)
    notice = soup.find("section", attrs={"aria-labelledby": "groups-title"}).find(class_="notice")
    assert words in notice.get_text()
    assert soup.find(id="group-consensus-title") is None
    assert soup.find(id="groups-certainty") is None


def test_a_summary_stored_before_these_facts_still_shows(open_proposal, people, client, crowd):
    result = _result(crowd, sample_snapshot())
    soup = _summary_page(client, people, open_proposal, result)
    assert soup.find(id="groups-certainty") is None
    assert soup.find(id="group-consensus-title") is None
    assert "What all groups agree on" in soup.get_text()
    url = reverse("reports:summary-evidence", args=[open_proposal.slug])
    assert client.get(url, {"key": "group_consensus"}).status_code == 404


def test_the_chinese_summary_page_words_them_in_chinese(open_proposal, people, client, crowd):
    result = _result(crowd, with_group_facts(sample_snapshot()))
    soup = _summary_page(client, people, open_proposal, result, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert soup.find("html")["lang"].lower().startswith("zh")
    certainty = soup.find(id="groups-certainty").get_text()
    assert "99" in certainty and "100" in certainty and "0.43" in certainty
    assert "reshuffled" not in certainty and "chance" not in certainty
    heading = soup.find(id="group-consensus-title").get_text()
    assert heading and "Most agreed" not in heading
    listed = soup.find("ol", class_="summary-group-consensus").get_text()
    assert "90%" in listed and "in each group" not in listed


def test_the_summary_loads_the_words_of_group_informed_consensus_comments():
    result = {
        "themes": {"tagged": [], "suggested": []},
        "groups": {
            "groups": [],
            "consensus": [],
            "divisive": [],
            "group_consensus": [
                {"comment": 17, "direction": "agree", "probability": 0.41, "shares": [0.8, 0.5]}
            ],
        },
        "campaigns": {"groups": []},
        "coverage": {"top_comments": []},
    }
    assert _referenced(result) == {17}
