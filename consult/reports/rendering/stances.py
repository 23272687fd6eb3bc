"""(a) The stance on the whole proposal: one bar per stance, and its table."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult.reports.rendering import svg
from consult.reports.rendering.svg import INK, STANCES, TRACK, number, percent, stance_label


def stances_chart(snapshot: dict, *, prefix: str = "chart-stances") -> SafeString:
    block = svg.summary_of(snapshot).get("stances", {}).get("proposal") or {}
    total = block.get("total") or 0
    if not total:
        return SafeString("")
    label_w, bar_x, bar_w, row_h, bar_h = 96, 104, 400, 40, 24
    body = []
    for index, stance in enumerate(STANCES):
        top = 8 + index * row_h
        share = svg.share(block, stance)
        width = bar_w * share
        body.append(svg.text(label_w, top + 17, stance_label(stance), anchor="end", weight="600"))
        body.append(svg.rect(bar_x, top, bar_w, bar_h, TRACK))
        if width:
            body.append(
                svg.rect(
                    bar_x, top, max(width, 1.5), bar_h, svg.stance_fill(prefix, stance), stroke=INK
                )
            )
        value = f"{number(block.get(stance, 0))} ({percent(share)})"
        body.append(svg.text(bar_x + bar_w + 8, top + 17, value))
    body.append(
        f'<line x1="{bar_x}" y1="4" x2="{bar_x}" y2="{8 + 3 * row_h - 12}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    return svg.document(
        prefix,
        _("Stance on the whole proposal"),
        _stances_desc(block),
        640,
        8 + 3 * row_h,
        body,
        svg.stance_patterns(prefix),
    )


def _stances_desc(block: dict) -> str:
    parts = [
        f"{stance_label(s)} {number(block.get(s, 0))} ({percent(svg.share(block, s))})"
        for s in STANCES
    ]
    total = block.get("total") or 0
    people = ngettext("%(count)s person", "%(count)s people", total) % {"count": number(total)}
    return _("%(parts)s; %(people)s in all.") % {"parts": ", ".join(parts), "people": people}


def stances_table(snapshot: dict) -> dict:
    block = svg.summary_of(snapshot).get("stances", {}).get("proposal") or {}
    rows = []
    if block.get("total"):
        rows = [[stance_label(s), block.get(s, 0), percent(svg.share(block, s))] for s in STANCES]
        rows.append([_("All"), block.get("total", 0), "100%"])
    return svg.table(
        _("Stance on the whole proposal"), [_("Stance"), _("People"), _("Share")], rows
    )
