"""The published report as people see and download it: SVG charts with their
text alternatives and tables, the CSV, JSON and PDF files, and the public page."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pypdf
import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.utils import translation
from pypdf.generic import BooleanObject, NameObject

from consult.infra import tables
from consult.reports.rendering import exports
from consult.reports.rendering.campaigns import campaigns_chart, campaigns_sentence
from consult.reports.rendering.daily import daily_chart
from consult.reports.rendering.figures import KINDS, chart, chart_table, chart_title, report_figure
from consult.reports.rendering.groups import groups_chart
from consult.reports.rendering.sections import sections_chart
from consult.reports.rendering.stances import stances_chart
from consult.reports.rendering.svg import BAR, GROUP_COLOURS, INK, STANCE_COLOURS, fit, ink_on
from consult.reports.rendering.themes import themes_chart
from proposals import diff
from tests.reports.factories import (
    CHINESE_SECTION,
    CHINESE_THEME,
    empty_snapshot,
    sample_snapshot,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "cameras"'


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own SVG, parsed to check it


def title_and_desc(svg: str) -> tuple[str, str]:
    root = parse(svg)
    return root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text


def texts(svg: str) -> list[str]:
    return [element.text for element in parse(svg).iter(f"{SVG}text")]


# --- charts -----------------------------------------------------------------


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


# --- tables -----------------------------------------------------------------


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


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_values(data: bytes) -> dict[tuple[str, str, str], str]:
    rows = read_csv(data)
    assert rows[0] == ["table", "row", "column", "value"]
    values = {}
    for table, row, column, value in rows[1:]:
        assert (table, row, column) not in values
        values[table, row, column] = value
    return values


def test_csv_has_every_figure_one_to_a_line():
    snapshot = sample_snapshot()
    summary = snapshot["summary"]
    values = csv_values(exports.report_csv(snapshot))

    for key, value in summary["participation"].items():
        if isinstance(value, int):
            assert values["participation", "all", key] == str(value)
    for day in summary["participation"]["daily"]:
        for key in ("comments", "replies", "comment_votes", "stances", "participants"):
            assert values["participation_daily", day["date"], key] == str(day[key])
    assert values["participation_jurisdiction", "unknown", "participants"] == "15"
    assert values["stance_proposal", "proposal", "share_support"] == "0.6"
    for section in summary["stances"]["sections"]:
        for key in ("support", "oppose", "neutral", "total", "comments", "comments_unique"):
            assert values["stance_section", str(section["id"]), key] == str(section[key])
    assert values["stance_section", "12", "heading"] == CHINESE_SECTION
    assert values["theme_tagged", CHINESE_THEME, "comments"] == "5"
    assert values["theme_tagged", "bus-routes", "comments_unique"] == "7"
    assert values["theme_suggested", "2", "terms"] == "公交车站 学校 门口"
    assert values["groups", "summary", "status"] == "ok"
    assert values["groups", "summary", "explained_variance_1"] == "0.42"
    assert values["group", "1", "size"] == "16"
    assert values["group", "0", "centre_x"] == "-1.2"  # a number, not neutralised
    assert values["group_distinctive", "0:101", "agree"] == "18"
    assert values["consensus", "140", "share_group_1"] == "0.8889"
    assert values["divisive", "101", "spread"] == "0.7525"
    assert values["group_point", "6", "group"] == "1"
    assert values["campaigns", "summary", "unique_comments"] == "24"
    assert values["campaign", "0", "first"] == "2025-03-01T00:00:00+00:00"
    assert values["campaign", "0", "comment_ids"] == "101 102 103 104 105 106"
    assert values["coverage", "all", "response_hours_median"] == "26.5"
    assert values["coverage_theme", "School safety", "answered"] == "false"
    assert values["coverage_section", "11", "responses"] == "1"
    assert values["coverage_top_comment", "140", "agree"] == "30"
    assert values["entry", "section:11", "status"] == "partly_accepted"
    assert values["entry", "section:11", "support"] == "80"
    assert values["entry", "theme:bus-routes", "version"] == "2"
    assert values["comment", "120", "excerpt"] == "学校门口需要一个公交车站。"


def test_csv_neutralises_spreadsheet_formulas():
    snapshot = sample_snapshot()
    snapshot["summary"]["themes"]["tagged"][0]["name"] = "=1+1"
    snapshot["summary"]["stances"]["sections"][0]["heading"] = "+SUM(A1)"
    snapshot["summary"]["comments"]["101"]["excerpt"] = "@cmd"
    snapshot["summary"]["comments"]["102"]["excerpt"] = "-2+3"
    snapshot["summary"]["comments"]["103"]["excerpt"] = "\tindented"
    snapshot["summary"]["comments"]["104"]["excerpt"] = "\rreturn"
    values = csv_values(exports.report_csv(snapshot))
    assert values["theme_tagged", "bus-routes", "name"] == "'=1+1"
    assert values["stance_section", "11", "heading"] == "'+SUM(A1)"
    assert values["comment", "101", "excerpt"] == "'@cmd"
    assert values["comment", "102", "excerpt"] == "'-2+3"
    assert values["comment", "103", "excerpt"] == "'\tindented"
    assert values["comment", "104", "excerpt"] == "'\rreturn"
    assert values["entry", "section:12", "we_did"] == '\'=HYPERLINK("http://example.invalid")'
    for table, row, _column in values:
        assert not table.startswith(tables.FORMULA_STARTS)
        assert not row.startswith(tables.FORMULA_STARTS)


def test_csv_is_the_same_for_the_same_report():
    snapshot = sample_snapshot()
    stored = json.loads(json.dumps(snapshot))  # as it comes back from the database
    assert exports.report_csv(snapshot) == exports.report_csv(stored)


# --- JSON -------------------------------------------------------------------


def test_json_is_canonical():
    snapshot = sample_snapshot()
    data = exports.report_json(snapshot)
    assert data.endswith(b"}\n")
    assert CHINESE_THEME.encode() in data  # UTF-8, not \u escapes
    assert json.loads(data) == json.loads(json.dumps(snapshot))
    # The same report, however its keys are ordered or stored, gives the same bytes.
    reordered = dict(reversed(list(copy.deepcopy(snapshot).items())))
    assert exports.report_json(reordered) == data
    assert exports.report_json(json.loads(data)) == data
    text = data.decode()
    assert text.index('"entries"') < text.index('"intro"') < text.index('"summary"')


# --- PDF --------------------------------------------------------------------


def cjk_font_installed() -> bool:
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, without white space (SVG text is placed glyph by glyph)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        # A font lacking some glyphs (Chinese with no CJK font installed) gets its
        # own /Encoding CMap from WeasyPrint, which pypdf cannot read; its
        # ToUnicode map is complete, so reading the codes as Identity-H is exact.
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if "/Encoding" in font and not isinstance(font["/Encoding"], NameObject):
                font[NameObject("/Encoding")] = NameObject("/Identity-H")
        pages.append("".join(page.extract_text().split()))
    return pages


@pytest.fixture(scope="module")
def pdf() -> bytes:
    with translation.override("en"):
        return exports.report_pdf(
            sample_snapshot(),
            base_url="http://testserver/",
            evidence_url="http://testserver/consultations/safer-streets/report/evidence/",
        )


def test_pdf_holds_the_figures_as_text(pdf):
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf)
    text = "".join(pages)
    for title in (
        "Stance on the whole proposal",
        "Stance on each section",
        "People taking part each day",
        "Themes, by number of comments",
        "Opinion groups",
        "The largest campaigns",
        "You said, we did",
    ):
        assert "".join(title.split()) in text, title
    assert "120(60%)" in text  # a label inside the stance chart
    assert "80·80%" in text  # a heatmap cell
    assert "8commentscamefrom2campaigns" in text
    # Page numbers in the footer of every page.
    assert len(pages) >= 3
    assert f"1/{len(pages)}" in pages[0]
    assert f"{len(pages)}/{len(pages)}" in pages[-1]


@pytest.mark.skipif(not cjk_font_installed(), reason="no CJK font installed (fc-list :lang=zh)")
def test_pdf_holds_the_chinese_heading(pdf):
    text = "".join(pdf_pages(pdf))
    assert CHINESE_SECTION in text
    assert CHINESE_THEME in text


class _Snapshot:
    def __init__(self, heading: str, body: str) -> None:
        self.section_id, self.heading, self.body = 1, heading, body


def snapshot_with_a_real_diff() -> dict:
    """A report whose one entry holds a diff as publishing makes it, labels and all."""
    snapshot = empty_snapshot()
    entry = copy.deepcopy(sample_snapshot()["entries"][0])
    (change,) = diff.compare(
        [_Snapshot("Buses", "Buses **may** stop at the gates.")],
        [_Snapshot("Buses", "Buses **must** stop at the gates.")],
    )
    entry["diff"] = [
        {
            "kind": change.kind,
            "heading_html": str(change.heading),
            "body_html": str(change.body),
            "rendered": True,
        }
    ]
    snapshot["entries"] = [entry]
    return snapshot


def pdf_catalog(data: bytes):
    return pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]


def test_the_pdf_is_tagged_in_english_and_prints_no_screen_reader_labels():
    snapshot = snapshot_with_a_real_diff()
    assert "removed: " in snapshot["entries"][0]["diff"][0]["body_html"]  # on the page, for ears
    data = exports.report_pdf(snapshot, base_url="http://testserver/")
    catalog = pdf_catalog(data)
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    text = "".join(pdf_pages(data))
    assert "Busesmaymuststopatthegates." in text
    assert "removed:" not in text and "added:" not in text


def test_the_chinese_pdf_says_it_is_in_simplified_chinese():
    with translation.override("zh-hans"):
        data = exports.report_pdf(snapshot_with_a_real_diff(), base_url="http://testserver/")
    catalog = pdf_catalog(data)
    assert catalog["/Lang"] == "zh-Hans"
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True) and "/StructTreeRoot" in catalog


def test_pdf_reads_only_the_projects_static_files():
    base = "http://testserver/"
    assert exports.static_file("http://testserver/static/css/report-print.css", base).is_file()
    for url in (
        "http://elsewhere.example/static/css/report-print.css",
        "https://testserver/static/css/report-print.css",
        "http://testserver/static/../consult/settings.py",
        "http://testserver/static/%2E%2E/consult/settings.py",
        "http://testserver/static//etc/passwd",
        "http://testserver/consultations/",
    ):
        assert exports.static_file(url, base) is None, url
    import weasyprint

    fetcher = exports._fetcher(weasyprint, base)
    with pytest.raises(ValueError, match="Not fetched"):
        fetcher.fetch("http://192.0.2.1/picture.png")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_pdf_unavailable_without_weasyprint(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(exports.PdfUnavailable):
        exports.report_pdf(sample_snapshot(), base_url="http://testserver/")


# --- the public page --------------------------------------------------------

EVIDENCE = "/consultations/safer-streets/report/evidence/"


def render_page(snapshot: dict) -> str:
    return render_to_string(
        "reports/report_public.html",
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
