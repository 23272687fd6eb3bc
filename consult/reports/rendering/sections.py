"""(b) The stance on each section, as a heatmap, and its table."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from consult.reports.rendering import svg
from consult.reports.rendering.svg import (
    GRID,
    MUTED,
    STANCE_COLOURS,
    STANCES,
    fit,
    ink_on,
    number,
    percent,
    stance_label,
)


def _blend(colour: str, strength: float) -> str:
    """The colour mixed with white: `strength` 0 is white, 1 the full colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (c - 255) * strength) for c in (red, green, blue)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _heat_rows(snapshot: dict) -> list[dict]:
    stances = svg.summary_of(snapshot).get("stances") or {}
    whole = stances.get("proposal") or {}
    rows = [{"label": _("Whole proposal"), "block": whole, "key": None, "whole": True}]
    rows += [
        {
            "label": section.get("heading", ""),
            "block": section,
            "whole": False,
            "key": f"section:{section.get('id')}",
        }
        for section in stances.get("sections") or []
    ]
    return rows


def sections_chart(snapshot: dict, *, prefix: str = "chart-sections") -> SafeString:
    rows = _heat_rows(snapshot)
    if len(rows) < 2 or not any(row["block"].get("total") for row in rows):
        return SafeString("")
    label_w, cell_w, cell_h, head_h = 250, 112, 34, 28
    body = [
        svg.text(
            label_w + index * cell_w + cell_w / 2,
            18,
            stance_label(s),
            anchor="middle",
            weight="600",
        )
        for index, s in enumerate(STANCES)
    ]
    body.append(svg.text(label_w + 3 * cell_w + 44, 18, _("People"), anchor="middle", weight="600"))
    for index, row in enumerate(rows):
        top = head_h + index * cell_h
        block = row["block"]
        weight = "700" if row["whole"] else ""
        body.append(
            svg.text(label_w - 8, top + 22, fit(row["label"], 34), anchor="end", weight=weight)
        )
        for column, stance in enumerate(STANCES):
            body.extend(_heat_cell(label_w + column * cell_w, top, cell_w, cell_h, block, stance))
        body.append(
            svg.text(
                label_w + 3 * cell_w + 44, top + 22, number(block.get("total", 0)), anchor="middle"
            )
        )
    height = head_h + len(rows) * cell_h + 4
    desc = _sections_desc(rows)
    return svg.document(
        prefix, _("Stance on each section"), desc, label_w + 3 * cell_w + 92, height, body
    )


def _heat_cell(x: float, y: float, w: float, h: float, block: dict, stance: str) -> list[str]:
    """A cell shaded by its share (darker is larger) with its count written in it."""
    count = block.get(stance, 0)
    share = svg.share(block, stance)
    if not block.get("total"):
        fill, ink, label = "#f7f8fa", MUTED, "–"
    else:
        strength = 0.1 + 0.9 * share
        fill = _blend(STANCE_COLOURS[stance], strength)
        ink = ink_on(fill)
        label = f"{number(count)} · {percent(share)}"
    return [
        svg.rect(x + 1, y + 1, w - 2, h - 2, fill, stroke=GRID),
        svg.text(x + w / 2, y + h / 2 + 5, label, anchor="middle", fill=ink),
    ]


def _sections_desc(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        block = row["block"]
        if not block.get("total"):
            lines.append(_("%(label)s: no stances") % {"label": row["label"]})
            continue
        parts = ", ".join(
            f"{stance_label(s).lower()} {number(block.get(s, 0))} ({percent(svg.share(block, s))})"
            for s in STANCES
        )
        lines.append(f"{row['label']}: {parts}")
    return "; ".join(lines) + "."


def sections_table(snapshot: dict) -> dict:
    stances = svg.summary_of(snapshot).get("stances") or {}
    rows, keys = [], []
    for section in stances.get("sections") or []:
        cells = [f"{number(section.get(s, 0))} ({percent(svg.share(section, s))})" for s in STANCES]
        rows.append(
            [
                section.get("heading", ""),
                *cells,
                section.get("total", 0),
                section.get("comments", 0),
                section.get("comments_unique", 0),
            ]
        )
        keys.append(f"section:{section.get('id')}")
    columns = [
        _("Section"),
        *(stance_label(s) for s in STANCES),
        _("People"),
        _("Comments"),
        _("Unique comments"),
    ]
    return svg.table(_("Stance on each section"), columns, rows, keys)
