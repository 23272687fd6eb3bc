"""The report's downloads: CSV, JSON and the tagged PDF."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
import sys

import pypdf
import pytest
from django.utils import translation
from pypdf.generic import BooleanObject, NameObject

from consult.infra import tables
from consult.reports.rendering import exports
from proposals import diff
from tests.reports.factories import (
    CHINESE_SECTION,
    CHINESE_THEME,
    empty_snapshot,
    sample_snapshot,
)


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
