"""The published report as files to download: JSON, CSV and PDF.

Each is a pure function of the report snapshot, so the same published report
always gives the same JSON and CSV bytes. The PDF is drawn by WeasyPrint from
`reports/report_print.html` with the charts inlined as SVG (their titles and
labels stay real text), and WeasyPrint may read nothing but the project's
static files and data: URLs, never the network.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import mimetypes
import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from consult.infra.tables import spreadsheet_cell
from proposals.models import Proposal

CSV_HEADER = ("table", "row", "column", "value")
FORMATS = ("pdf", "csv", "json")


def downloads(proposal: Proposal) -> dict[str, str]:
    """The published report's downloads, by format: for the page and the API."""
    return {fmt: reverse("reports:download", args=[proposal.slug, fmt]) for fmt in FORMATS}


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library it draws text with) cannot be loaded here."""


# --- JSON -------------------------------------------------------------------


def report_json(snapshot: dict) -> bytes:
    """The snapshot as canonical JSON: sorted keys, UTF-8 text, a final newline.
    A first pass through JSON turns integer keys into strings, as they are
    once stored, so a snapshot gives the same bytes before and after saving."""
    plain = json.loads(json.dumps(snapshot, allow_nan=False))
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


# --- CSV --------------------------------------------------------------------


def report_csv(snapshot: dict) -> bytes:
    """Every figure of the report in a long ("tidy") table: one value a line,
    named by table, row and column. UTF-8 with a byte order mark, so that
    spreadsheet programs read Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for table, row, column, value in _csv_rows(snapshot):
        writer.writerow(tuple(spreadsheet_cell(cell) for cell in (table, str(row), column, value)))
    return buffer.getvalue().encode("utf-8-sig")


Line = tuple[str, object, str, object]


def _fields(table: str, row: object, values: dict) -> Iterator[Line]:
    for column, value in values.items():
        yield table, row, column, value


def _iso(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC).isoformat()


def _csv_rows(snapshot: dict) -> Iterator[Line]:
    summary = snapshot.get("summary") or {}
    proposal = snapshot.get("proposal") or {}
    yield from _fields(
        "report",
        "report",
        {
            "title": proposal.get("title"),
            "department": proposal.get("department"),
            "jurisdiction": proposal.get("jurisdiction"),
            "slug": proposal.get("slug"),
            "published_at": snapshot.get("published_at"),
            "summary_generated_at": snapshot.get("summary_generated_at"),
        },
    )
    yield from _participation_rows(summary.get("participation") or {})
    yield from _stance_rows(summary.get("stances") or {})
    yield from _theme_rows(summary.get("themes") or {})
    yield from _group_rows(summary.get("groups") or {})
    yield from _campaign_rows(summary.get("campaigns") or {})
    yield from _coverage_rows(summary.get("coverage") or {})
    yield from _form_rows(summary.get("form") or {})
    yield from _entry_rows(snapshot.get("entries") or [])
    for comment_id, comment in sorted(
        (summary.get("comments") or {}).items(), key=lambda item: int(item[0])
    ):
        yield from _fields("comment", comment_id, comment)


def _participation_rows(participation: dict) -> Iterator[Line]:
    totals = {
        key: participation.get(key)
        for key in (
            "participants",
            "comments",
            "comments_unique",
            "replies",
            "replies_unique",
            "comment_votes",
            "stances",
        )
    }
    yield from _fields("participation", "all", totals)
    for day in participation.get("daily") or []:
        yield from _fields(
            "participation_daily", day["date"], {k: v for k, v in day.items() if k != "date"}
        )
    for place in participation.get("jurisdictions") or []:
        row = place.get("id") if place.get("id") is not None else "unknown"
        yield from _fields(
            "participation_jurisdiction",
            row,
            {"name": place.get("name"), "participants": place.get("participants")},
        )


def _stance_values(block: dict) -> dict:
    shares = block.get("shares") or {}
    return {
        **{key: block.get(key) for key in ("support", "oppose", "neutral", "total")},
        **{f"share_{key}": shares.get(key) for key in ("support", "oppose", "neutral")},
    }


def _stance_rows(stances: dict) -> Iterator[Line]:
    yield from _fields("stance_proposal", "proposal", _stance_values(stances.get("proposal") or {}))
    for section in stances.get("sections") or []:
        yield from _fields(
            "stance_section",
            section.get("id"),
            {
                "heading": section.get("heading"),
                "order": section.get("order"),
                **_stance_values(section),
                "comments": section.get("comments"),
                "comments_unique": section.get("comments_unique"),
            },
        )


def _theme_rows(themes: dict) -> Iterator[Line]:
    for theme in themes.get("tagged") or []:
        yield from _fields(
            "theme_tagged",
            theme.get("slug"),
            {
                "name": theme.get("name"),
                "comments": theme.get("comments"),
                "comments_unique": theme.get("comments_unique"),
                "comment_ids": theme.get("comment_ids"),
                "representative": theme.get("representative"),
            },
        )
    for number, theme in enumerate(themes.get("suggested") or [], start=1):
        yield from _fields(
            "theme_suggested",
            number,
            {
                "label": theme.get("label"),
                "terms": theme.get("terms"),
                "comments": theme.get("comments"),
                "comment_ids": theme.get("comment_ids"),
                "representative": theme.get("representative"),
            },
        )


def _group_rows(groups: dict) -> Iterator[Line]:
    variance = list(groups.get("explained_variance") or [])
    yield from _fields(
        "groups",
        "summary",
        {
            **{
                key: groups.get(key)
                for key in (
                    "status",
                    "reason",
                    "participants",
                    "participants_considered",
                    "comments_considered",
                    "votes_considered",
                    "k",
                    "silhouette",
                )
            },
            **{f"explained_variance_{i}": v for i, v in enumerate(variance, start=1)},
            **_group_chance_fields(groups),
        },
    )
    for group in groups.get("groups") or []:
        centre = group.get("centre") or [None, None]
        yield from _fields(
            "group",
            group["id"],
            {
                "size": group.get("size"),
                "centre_x": centre[0],
                "centre_y": centre[1],
            },
        )
        for item in group.get("distinctive") or []:
            yield from _fields(
                "group_distinctive",
                f"{group['id']}:{item['comment']}",
                {"group": group["id"], **item},
            )
    for item in groups.get("consensus") or []:
        shares = {f"share_group_{i}": s for i, s in enumerate(item.get("shares") or [])}
        yield from _fields(
            "consensus",
            item["comment"],
            {"direction": item.get("direction"), "score": item.get("score"), **shares},
        )
    for item in groups.get("group_consensus") or []:
        shares = {f"share_group_{i}": s for i, s in enumerate(item.get("shares") or [])}
        yield from _fields(
            "group_consensus",
            item["comment"],
            {"direction": item.get("direction"), "probability": item.get("probability"), **shares},
        )
    for item in groups.get("divisive") or []:
        shares = {f"agree_share_group_{i}": s for i, s in enumerate(item.get("shares") or [])}
        yield from _fields("divisive", item["comment"], {"spread": item.get("spread"), **shares})
    for index, point in enumerate(groups.get("points") or []):
        yield from _fields("group_point", index, {"x": point[0], "y": point[1], "group": point[2]})


def _group_chance_fields(groups: dict) -> dict:
    """The size floor and the test against reshuffled votes, when the summary
    has them: a report published before keeps the same CSV bytes."""
    fields = {}
    if "min_group_size" in groups:
        fields["min_group_size"] = groups["min_group_size"]
    chance = groups.get("significance")
    if isinstance(chance, dict):
        for key in ("shuffles", "as_clear", "p_value", "level"):
            fields[f"significance_{key}"] = chance.get(key)
        for key in ("chance_mean", "chance_sd", "chance_highest"):
            fields[f"silhouette_{key}"] = chance.get(key)
    return fields


def _campaign_rows(campaigns: dict) -> Iterator[Line]:
    groups = campaigns.get("groups") or []
    yield from _fields(
        "campaigns",
        "summary",
        {
            "campaigns": len(groups),
            "comments_in_groups": campaigns.get("comments_in_groups"),
            "unique_comments": campaigns.get("unique_comments"),
            "threshold": campaigns.get("threshold"),
            "num_perm": campaigns.get("num_perm"),
        },
    )
    for group in groups:
        yield from _fields(
            "campaign",
            group["id"],
            {
                "size": group.get("size"),
                "variations": group.get("variations"),
                "first": _iso(group.get("first")),
                "last": _iso(group.get("last")),
                "representative": group.get("representative"),
                "comment_ids": group.get("comment_ids"),
                "examples": group.get("examples"),
            },
        )


def _coverage_rows(coverage: dict) -> Iterator[Line]:
    hours = coverage.get("response_hours") or {}
    yield from _fields(
        "coverage",
        "all",
        {
            "comments_answered": coverage.get("comments_answered"),
            "comments_public": coverage.get("comments_public"),
            **{
                f"response_hours_{key}": hours.get(key) for key in ("count", "median", "p90", "max")
            },
        },
    )
    for theme in coverage.get("themes") or []:
        yield from _fields(
            "coverage_theme",
            theme.get("name"),
            {"answered": theme.get("answered"), "responses": theme.get("responses")},
        )
    for section in coverage.get("sections") or []:
        yield from _fields(
            "coverage_section",
            section.get("id"),
            {
                "heading": section.get("heading"),
                "answered": section.get("answered"),
                "responses": section.get("responses"),
            },
        )
    for comment in coverage.get("top_comments") or []:
        yield from _fields(
            "coverage_top_comment",
            comment.get("comment"),
            {"agree": comment.get("agree"), "answered": comment.get("answered")},
        )


def _form_rows(form: dict) -> Iterator[Line]:
    """The response form's figures; nothing for a consultation without a form,
    so its CSV stays as it was."""
    if not form:
        return
    yield from _fields(
        "form",
        "all",
        {
            "responses": form.get("responses"),
            **{f"kind_{k}": v for k, v in (form.get("by_kind") or {}).items()},
            **{f"channel_{k}": v for k, v in (form.get("by_channel") or {}).items()},
            "organisations_unnamed": form.get("organisations_unnamed"),
        },
    )
    for question in form.get("questions") or []:
        qid = question.get("id")
        yield from _fields(
            "form_question",
            qid,
            {k: question.get(k) for k in ("order", "kind", "prompt", "answered", "skipped")},
        )
        for choice in question.get("choices") or []:
            yield from _fields(
                "form_choice",
                f"{qid}:{choice.get('key')}",
                {
                    **{k: choice.get(k) for k in ("label", "count", "share")},
                    **{f"kind_{k}": v for k, v in (choice.get("by_kind") or {}).items()},
                    **{f"channel_{k}": v for k, v in (choice.get("by_channel") or {}).items()},
                },
            )
        for item in question.get("ranking") or []:
            yield from _fields(
                "form_ranking",
                f"{qid}:{item.get('key')}",
                {k: item.get(k) for k in ("label", "mean_rank", "first", "ranked", "score")},
            )
        figures = question.get("number") or {}
        for index, item in enumerate(figures.get("bins") or []):
            yield from _fields("form_number_bin", f"{qid}:{index}", item)
        if question.get("text"):
            yield from _fields("form_text", qid, question["text"])
    for row in form.get("organisations") or []:
        if row.get("publication") == "named":
            yield from _fields(
                "form_organisation",
                row.get("response"),
                {k: row.get(k) for k in ("name", "type", "official_view", "channel")},
            )


def _entry_rows(entries: list[dict]) -> Iterator[Line]:
    for entry in entries:
        version = entry.get("version") or {}
        yield from _fields(
            "entry",
            entry.get("key"),
            {
                "kind": entry.get("kind"),
                "title": entry.get("title"),
                "status": entry.get("status"),
                "you_said": entry.get("you_said"),
                "we_did": entry.get("we_did"),
                **(entry.get("figures") or {}),
                "comment_ids": entry.get("comment_ids"),
                "version": version.get("number"),
                "change_note": version.get("change_note"),
            },
        )


# --- PDF --------------------------------------------------------------------


def _weasyprint():
    """WeasyPrint, loaded only when a PDF is asked for: it needs Pango from the
    system, and a server without it still serves every other page."""
    try:
        import weasyprint
        import weasyprint.urls
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _("PDF files cannot be made on this server at the moment (%(error)s).")
            % {"error": error}
        ) from error
    return weasyprint


def static_file(url: str, base_url: str) -> Path | None:
    """The project's static file that `url` names, or None when it names
    anything else (another site, a page, a path that climbs out)."""
    static_root = urljoin(base_url, settings.STATIC_URL)
    if not url.startswith(static_root):
        return None
    relative = unquote(urlsplit(url[len(static_root) :]).path)
    if not relative or posixpath.normpath(relative) != relative or relative.startswith(("/", "..")):
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


def _fetcher(weasyprint, base_url: str):
    urls = weasyprint.urls

    class StaticOnly(urls.URLFetcher):
        """Reads the project's static files and data: URLs; refuses the rest."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file(url, base_url)
            if path is None:
                raise ValueError(f"Not fetched for the report PDF: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnly(timeout=1, allowed_protocols={"data", "http", "https"})


def report_pdf(snapshot: dict, *, base_url: str, evidence_url: str = "") -> bytes:
    """The report as an A4 PDF. `base_url` is the site's absolute address (the
    print page's stylesheet is found under it); `evidence_url`, when given as an
    absolute URL, makes each figure a link to the comments behind it."""
    weasyprint = _weasyprint()
    html = render_to_string(
        "reports/report_print.html",
        {
            "snapshot": snapshot,
            "evidence_url": evidence_url,
            "for_print": True,
            "language_tag": language_tag(),
        },
    )
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=_fetcher(weasyprint, base_url)
    )
    # Tagged for screen readers (headings, lists, tables, reading order), with
    # the document's language from <html lang>.
    return document.write_pdf(pdf_variant=PDF_VARIANT)


PDF_VARIANT = "pdf/ua-1"


def language_tag() -> str:
    """The active language as BCP 47 spells it: "en", "zh-Hans"."""
    return to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-")
