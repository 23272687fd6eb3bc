"""Which themes, sections and most agreed comments have an official response."""

from __future__ import annotations

from django.utils.translation import gettext as _

from consult.reports.rendering import svg
from consult.reports.rendering.svg import excerpt


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def coverage_themes_table(snapshot: dict) -> dict:
    coverage = svg.summary_of(snapshot).get("coverage") or {}
    themes = coverage.get("themes") or []
    slugs = {
        t.get("name"): t.get("slug")
        for t in (svg.summary_of(snapshot).get("themes") or {}).get("tagged") or []
    }
    rows = [[t["name"], yes_no(t.get("answered")), t.get("responses", 0)] for t in themes]
    keys = [f"theme:{slugs[t['name']]}" if slugs.get(t["name"]) else None for t in themes]
    return svg.table(
        _("Official responses, by theme"), [_("Theme"), _("Answered"), _("Responses")], rows, keys
    )


def coverage_sections_table(snapshot: dict) -> dict:
    sections = (svg.summary_of(snapshot).get("coverage") or {}).get("sections") or []
    rows = [[s["heading"], yes_no(s.get("answered")), s.get("responses", 0)] for s in sections]
    keys = [f"section:{s['id']}" for s in sections]
    return svg.table(
        _("Official responses, by section"),
        [_("Section"), _("Answered"), _("Responses")],
        rows,
        keys,
    )


def coverage_comments_table(snapshot: dict) -> dict:
    top = (svg.summary_of(snapshot).get("coverage") or {}).get("top_comments") or []
    rows = [
        [excerpt(snapshot, c["comment"]), c.get("agree", 0), yes_no(c.get("answered"))] for c in top
    ]
    keys = [f"comment:{c['comment']}" for c in top]
    return svg.table(
        _("The most agreed comments, and whether they were answered"),
        [_("Comment"), _("Agree votes"), _("Answered")],
        rows,
        keys,
    )
