"""The report's figures: each chart an accessible SVG, each with its table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from consult.reports.rendering.campaigns import campaigns_chart, campaigns_sentence
from consult.reports.rendering.daily import daily_chart
from consult.reports.rendering.figures import KINDS, chart, chart_table, chart_title, report_figure
from consult.reports.rendering.groups import groups_chart
from consult.reports.rendering.sections import sections_chart
from consult.reports.rendering.stances import stances_chart
from consult.reports.rendering.svg import BAR, GROUP_COLOURS, INK, STANCE_COLOURS, fit, ink_on
from consult.reports.rendering.themes import themes_chart
from tests.reports.factories import (
    CHINESE_SECTION,
    CHINESE_THEME,
    HOSTILE,
    empty_snapshot,
    sample_snapshot,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own SVG, parsed to check it


def title_and_desc(svg: str) -> tuple[str, str]:
    root = parse(svg)
    return root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text


def texts(svg: str) -> list[str]:
    return [element.text for element in parse(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", KINDS)
def test_each_chart_is_an_svg_image_named_by_its_title_and_description(kind):
    svg = chart(kind, sample_snapshot())
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}title").text == chart_title(kind)
    # The site's Content Security Policy refuses inline styles and scripts.
    assert "style=" not in svg
    assert "<script" not in svg


def test_stance_chart_says_every_count_and_share():
    title, desc = title_and_desc(stances_chart(sample_snapshot()))
    assert title == "Stance on the whole proposal"
    assert desc == "Support 120 (60%), Oppose 50 (25%), Neutral 30 (15%); 200 people in all."
    assert {"Support", "Oppose", "Neutral", "120 (60%)", "50 (25%)", "30 (15%)"} <= set(
        texts(stances_chart(sample_snapshot()))
    )


def test_stance_bars_differ_by_pattern_not_colour_alone():
    root = parse(stances_chart(sample_snapshot()))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"chart-stances-oppose", "chart-stances-neutral"}
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("stroke")]
    assert fills == [
        STANCE_COLOURS["support"],
        "url(#chart-stances-oppose)",
        "url(#chart-stances-neutral)",
    ]


def test_section_heatmap_writes_counts_in_cells_and_describes_every_section():
    svg = sections_chart(sample_snapshot())
    _title, desc = title_and_desc(svg)
    assert "Whole proposal: support 120 (60%), oppose 50 (25%), neutral 30 (15%)" in desc
    assert "Speed limits: support 80 (80%), oppose 15 (15%), neutral 5 (5%)" in desc
    assert f"{CHINESE_SECTION}: support 30 (37.5%), oppose 30 (37.5%), neutral 20 (25%)" in desc
    assert "Enforcement cameras: no stances" in desc
    cells = texts(svg)
    assert {"80 · 80%", "15 · 15%", "30 · 37.5%", "20 · 25%", CHINESE_SECTION} <= set(cells)


def test_heatmap_text_keeps_contrast_on_dark_and_light_cells():
    assert ink_on("#0072B2") == "#ffffff"
    assert ink_on("#f0f0f0") == INK


def test_daily_chart_keeps_quiet_days_and_labels_its_axes():
    svg = daily_chart(sample_snapshot())
    _title, desc = title_and_desc(svg)
    assert desc == (
        "From 2025-03-01 to 2025-03-05 (5 days). The busiest day was 2025-03-04, with 15 "
        "people. 2025-03-01: 12; 2025-03-02: 9; 2025-03-03: 0; 2025-03-04: 15; 2025-03-05: 4."
    )
    bars = [r for r in parse(svg).iter(f"{SVG}rect") if r.get("fill") == BAR]
    assert len(bars) == 4  # no bar on 2025-03-03
    labels = texts(svg)
    assert [t for t in labels if t.startswith("2025-")] == [
        "2025-03-01",
        "2025-03-02",
        "2025-03-03",
        "2025-03-04",
        "2025-03-05",
    ]
    assert "People taking part" in labels
    assert "Date" in labels


def test_daily_chart_of_many_days_labels_a_few_dates_and_stays_small():
    snapshot = sample_snapshot()
    days = [
        {
            "date": f"2025-{month:02d}-{day:02d}",
            "participants": (day * 7) % 23,
            "comments": 1,
            "replies": 0,
            "comment_votes": 0,
            "stances": 0,
        }
        for month in (1, 2, 3)
        for day in range(1, 29)
    ]
    snapshot["summary"]["participation"]["daily"] = days
    svg = daily_chart(snapshot)
    dates = [t for t in texts(svg) if t.startswith("2025-")]
    # 31 + 28 + 28 days from 1 January to 28 March, labelled every 13th day.
    assert dates == [
        "2025-01-01",
        "2025-01-14",
        "2025-01-27",
        "2025-02-09",
        "2025-02-22",
        "2025-03-07",
        "2025-03-20",
    ]
    _title, desc = title_and_desc(svg)
    assert desc.startswith("From 2025-01-01 to 2025-03-28 (87 days).")
    assert desc.endswith("Every day's figures are in the table.")


def test_themes_chart_shows_unique_and_repeated_comments():
    svg = themes_chart(sample_snapshot())
    _title, desc = title_and_desc(svg)
    assert desc == (
        "Bus routes: 12 comments, 7 unique; School safety: 9 comments, 9 unique; "
        f"{CHINESE_THEME}: 5 comments, 5 unique."
    )
    labels = texts(svg)
    assert {"Bus routes", CHINESE_THEME, "12 (7 unique)", "Repeated copies"} <= set(labels)


def test_groups_scatter_gives_each_group_its_own_shape_and_colour():
    svg = groups_chart(sample_snapshot())
    _title, desc = title_and_desc(svg)
    assert desc.startswith(
        "2 opinion groups among 36 people who voted on 25 comments: Group A, 20 people; "
        "Group B, 16 people."
    )
    root = parse(svg)
    blue = [e.tag for e in root.iter() if e.get("fill") == GROUP_COLOURS[0]]
    orange = [e.tag for e in root.iter() if e.get("fill") == GROUP_COLOURS[1]]
    # Four people and the legend mark for group A, three and the legend for B.
    assert blue == [f"{SVG}circle"] * 5
    assert orange == [f"{SVG}rect"] * 4
    assert {"Group A", "Group B", "20 people (55.6%)", "16 people (44.4%)"} <= set(texts(svg))


def test_too_few_votes_draws_no_groups_and_says_why():
    snapshot = sample_snapshot(too_few_votes=True)
    figure = report_figure("groups", snapshot)
    assert figure["svg"] == ""
    assert figure["empty"].startswith("There are too few votes to find opinion groups reliably")
    assert "5 people voted on comments, 3 of them" in figure["empty"]
    assert chart_table("consensus", snapshot)["rows"] == []


def test_campaigns_chart_and_sentence():
    snapshot = sample_snapshot()
    assert campaigns_sentence(snapshot) == (
        "8 comments came from 2 campaigns; counted once each, there were 24 unique comments."
    )
    svg = campaigns_chart(snapshot)
    _title, desc = title_and_desc(svg)
    assert "1. “Please run the number 12 bus past the school gates.”: 6 comments, 4 " in desc
    assert "2. “More bike racks at the school.”: 2 comments, 1 variations" in desc
    assert {"6 comments", "2 comments"} <= set(texts(svg))


def test_a_hostile_label_is_escaped_everywhere():
    snapshot = sample_snapshot()
    snapshot["summary"]["stances"]["sections"][0]["heading"] = HOSTILE
    snapshot["summary"]["themes"]["tagged"][0]["name"] = HOSTILE
    snapshot["summary"]["comments"]["101"]["excerpt"] = HOSTILE
    for kind in ("sections", "themes", "campaigns"):
        svg = str(chart(kind, snapshot))
        assert "<script" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)  # still well-formed XML
        assert any(HOSTILE[:20] in (t.text or "") for t in root.iter(f"{SVG}text"))
        assert HOSTILE in root.find(f"{SVG}desc").text


def test_long_labels_are_cut_to_fit():
    assert fit("short", 10) == "short"
    assert fit("a" * 20, 10) == "a" * 9 + "…"
    # Chinese characters are twice as wide.
    assert fit("学校周边的交通安全", 10) == "学校周边…"


def test_empty_report_draws_nothing_and_says_so():
    snapshot = empty_snapshot()
    for kind in KINDS:
        figure = report_figure(kind, snapshot)
        assert figure["svg"] == "", kind
        assert figure["empty"], kind
        assert figure["table"]["rows"] == [], kind


def test_tables_hold_the_snapshot_figures():
    snapshot = sample_snapshot()
    summary = snapshot["summary"]

    assert chart_table("stances", snapshot)["rows"] == [
        ["Support", 120, "60%"],
        ["Oppose", 50, "25%"],
        ["Neutral", 30, "15%"],
        ["All", 200, "100%"],
    ]
    sections = chart_table("sections", snapshot)
    assert sections["rows"][1] == [
        CHINESE_SECTION,
        "30 (37.5%)",
        "30 (37.5%)",
        "20 (25%)",
        80,
        10,
        8,
    ]
    assert sections["keys"] == ["section:11", "section:12", "section:13"]

    daily = chart_table("daily", snapshot)["rows"]
    assert daily == [
        [
            d["date"],
            d["participants"],
            d["comments"],
            d["replies"],
            d["comment_votes"],
            d["stances"],
        ]
        for d in summary["participation"]["daily"]
    ]
    assert chart_table("jurisdictions", snapshot)["rows"] == [["City", 25], ["Unknown", 15]]

    themes = chart_table("themes", snapshot)
    assert themes["rows"] == [["Bus routes", 12, 7], ["School safety", 9, 9], [CHINESE_THEME, 5, 5]]
    assert themes["keys"][2] == f"theme:{CHINESE_THEME}"

    groups = chart_table("groups", snapshot)
    assert groups["rows"] == [["Group A", 20, "55.6%", 1], ["Group B", 16, "44.4%", 1]]
    assert groups["keys"] == ["group:0", "group:1"]
    assert chart_table("consensus", snapshot)["rows"] == [
        [
            "Children should be able to walk to school safely.",
            "Agree",
            "Group A 90.9%, Group B 88.9%",
        ],
    ]
    assert chart_table("divisive", snapshot)["keys"] == ["comment:101"]

    campaigns = chart_table("campaigns", snapshot)
    assert campaigns["rows"] == [
        ["Please run the number 12 bus past the school gates.", 6, 4, "2025-03-01", "2025-03-04"],
        ["More bike racks at the school.", 2, 1, "2025-03-01", "2025-03-01"],
    ]
    assert campaigns["keys"] == ["campaign:0", "campaign:1"]

    assert chart_table("coverage_sections", snapshot)["rows"] == [
        ["Speed limits", "Yes", 1],
        [CHINESE_SECTION, "No", 0],
        ["Enforcement cameras", "No", 0],
    ]
    assert chart_table("coverage_comments", snapshot)["rows"][0] == [
        "Children should be able to walk to school safely.",
        30,
        "Yes",
    ]


# --- CSV --------------------------------------------------------------------
