"""The report's figures by kind: each chart's SVG, the table behind it, its
title, and what to say when there is nothing to draw.

Every chart is a pure function of the report snapshot (a JSON-able dict, see
the report schema) and returns a `SafeString`: an `<svg role="img">` named by
its `<title>` and described in full by its `<desc>`, sized by a viewBox so that
it scales, with every label escaped. Meaning never rests on colour alone: the
three stances have a pattern each (solid, stripes, dots) and their names
written beside the bars, heatmap cells carry their counts, and opinion groups
differ in shape as well as colour. Colours come from the Okabe-Ito palette,
which stays distinct for the common kinds of colour blindness, and the shades
are chosen to differ in lightness so that a greyscale print still reads.
One module per chart (stances, sections, daily, themes, groups, campaigns),
what they share in `svg`, the coverage tables in `coverage`.

`chart_table(kind, snapshot)` gives the same figures as rows for the table
under each chart; `report_figure(kind, snapshot)` bundles title, SVG, table and
the message to show when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from consult.reports.rendering.campaigns import campaigns_chart, campaigns_table
from consult.reports.rendering.coverage import (
    coverage_comments_table,
    coverage_sections_table,
    coverage_themes_table,
)
from consult.reports.rendering.daily import daily_chart, daily_table, jurisdictions_table
from consult.reports.rendering.groups import (
    consensus_table,
    divisive_table,
    group_consensus_table,
    groups_chart,
    groups_message,
    groups_table,
)
from consult.reports.rendering.sections import sections_chart, sections_table
from consult.reports.rendering.stances import stances_chart, stances_table
from consult.reports.rendering.themes import suggested_table, themes_chart, themes_table

KINDS = ("stances", "sections", "daily", "themes", "groups", "campaigns")

CHARTS: dict[str, Callable[..., SafeString]] = {
    "stances": stances_chart,
    "sections": sections_chart,
    "daily": daily_chart,
    "themes": themes_chart,
    "groups": groups_chart,
    "campaigns": campaigns_chart,
}

TABLES: dict[str, Callable[[dict], dict]] = {
    "stances": stances_table,
    "sections": sections_table,
    "daily": daily_table,
    "themes": themes_table,
    "groups": groups_table,
    "campaigns": campaigns_table,
    "jurisdictions": jurisdictions_table,
    "suggested_themes": suggested_table,
    "consensus": consensus_table,
    "divisive": divisive_table,
    "group_consensus": group_consensus_table,
    "coverage_themes": coverage_themes_table,
    "coverage_sections": coverage_sections_table,
    "coverage_comments": coverage_comments_table,
}


def chart(kind: str, snapshot: dict, *, prefix: str | None = None) -> SafeString:
    """The SVG of one chart, or an empty string when there is nothing to draw."""
    function = CHARTS[kind]
    return function(snapshot, prefix=prefix) if prefix else function(snapshot)


def chart_table(kind: str, snapshot: dict) -> dict:
    """The figures behind a chart (or a table on its own) as rows:
    {"caption", "columns", "rows", "keys"}, where each key, when not None, names
    the comments behind the row for the evidence page."""
    return TABLES[kind](snapshot)


def empty_message(kind: str, snapshot: dict) -> str:
    messages = {
        "stances": _("Nobody has said whether they support the proposal."),
        "sections": _("Nobody has taken a stance on a section."),
        "daily": _("Nobody has taken part yet."),
        "themes": _("No comments were tagged with a theme."),
        "groups": groups_message(snapshot),
        "campaigns": _("No campaigns: no group of near-identical comments was found."),
    }
    return messages.get(kind, _("Nothing to show."))


def chart_title(kind: str) -> str:
    return {
        "stances": _("Stance on the whole proposal"),
        "sections": _("Stance on each section"),
        "daily": _("People taking part each day"),
        "themes": _("Themes, by number of comments"),
        "groups": _("Opinion groups"),
        "campaigns": _("The largest campaigns"),
    }[kind]


def report_figure(kind: str, snapshot: dict) -> dict:
    """One figure of the report: its title, SVG, table, and what to say when it is empty."""
    svg = chart(kind, snapshot)
    table = chart_table(kind, snapshot)
    return {
        "kind": kind,
        "id": f"figure-{kind}",
        "title": chart_title(kind),
        "svg": svg,
        "table": table,
        "empty": "" if svg else empty_message(kind, snapshot),
    }
