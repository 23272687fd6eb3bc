"""The published report's page: charts, tables, entries and downloads, escaped."""

from __future__ import annotations

import itertools

from bs4 import BeautifulSoup
from django.template.loader import render_to_string

from consult.reports.rendering.figures import chart_table
from tests.reports.factories import (
    CHINESE_SECTION,
    CHINESE_THEME,
    HOSTILE,
    empty_snapshot,
    sample_snapshot,
)

EVIDENCE = "/consultations/safer-streets/report/evidence/"


def render_page(snapshot: dict, *, for_print: bool = False) -> str:
    return render_to_string(
        "reports/report_print.html" if for_print else "reports/report_public.html",
        {
            "proposal": {
                "title": "Safer streets near schools",
                "get_absolute_url": "/consultations/safer-streets/",
            },
            "snapshot": snapshot,
            "downloads": {"pdf": "/r/report.pdf", "csv": "/r/report.csv", "json": "/r/report.json"},
            "evidence_url": EVIDENCE,
        },
    )


def test_public_page_shows_charts_tables_entries_and_downloads():
    html = render_page(sample_snapshot())
    soup = BeautifulSoup(html, "html.parser")

    assert soup.find("h1").get_text() == "Safer streets near schools"
    svgs = soup.find_all("svg", attrs={"role": "img"})
    assert [svg["id"] for svg in svgs] == [
        "chart-daily",
        "chart-stances",
        "chart-sections",
        "chart-themes",
        "chart-groups",
        "chart-campaigns",
    ]
    captions = [caption.get_text() for caption in soup.find_all("caption")]
    for kind in (
        "daily",
        "stances",
        "sections",
        "themes",
        "groups",
        "campaigns",
        "consensus",
        "divisive",
        "coverage_sections",
    ):
        assert chart_table(kind, sample_snapshot())["caption"] in captions

    entries = soup.find_all("article", class_="report-entry")
    assert [e.find("h3").get_text() for e in entries] == [
        "Bus routes",
        CHINESE_THEME,
        "Speed limits",
        CHINESE_SECTION,
    ]
    assert [e.find(class_="report-status").get_text() for e in entries] == [
        "Accepted",
        "Noted",
        "Partly accepted",
        "Not accepted",
    ]
    assert "Buses <del>may</del><ins>must</ins> stop at the gates." in html
    assert "Changed in version 2: A bus stop at the school gates" in html
    assert "8 comments came from 2 campaigns; counted once each, there were 24 unique" in html
    assert "Officials answered 5 of 30 public comments." in html

    links = {a["href"] for a in soup.find_all("a")}
    assert {"/r/report.pdf", "/r/report.csv", "/r/report.json"} <= links
    for key in (
        "theme:bus-routes",
        "section:11",
        "campaign:0",
        "group:1",
        "consensus",
        "divisive",
        "comment:140",
        "theme:%E5%85%AC%E4%BA%A4%E8%BD%A6%E7%AB%99",
    ):
        assert f"{EVIDENCE}?key={key}" in links, key


def test_public_page_headings_are_in_order_and_it_needs_no_script_or_inline_style():
    html = render_page(sample_snapshot())
    soup = BeautifulSoup(html, "html.parser")
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4"])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert not soup.find_all(attrs={"style": True})
    # Only the site's own script from base.html, which the report does not need.
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/js/site.js"]


def test_public_page_escapes_what_people_wrote():
    snapshot = sample_snapshot()
    snapshot["summary"]["stances"]["sections"][0]["heading"] = HOSTILE
    snapshot["summary"]["comments"]["140"]["excerpt"] = HOSTILE
    snapshot["entries"][0]["title"] = HOSTILE
    html = render_page(snapshot)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_public_page_with_too_few_votes_says_so():
    html = render_page(sample_snapshot(too_few_votes=True))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="chart-groups") is None
    assert "There are too few votes to find opinion groups reliably" in html
    assert soup.find(id="figure-consensus") is None
    assert soup.find(id="chart-stances") is not None


def test_public_page_of_an_empty_report_shows_empty_states():
    html = render_page(empty_snapshot())
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("svg") is None
    empty = [p.get_text() for p in soup.find_all(class_="empty-state")]
    assert "This report has no “you said, we did” entries." in empty
    assert "Nobody has said whether they support the proposal." in empty
    assert "No comments were tagged with a theme." in empty
    assert "No campaigns: no group of near-identical comments was found." in empty
    assert "0 comments came from 0 campaigns" in html
