"""The published report's figures as server-side SVG, each with its data as a table.

Every chart is a pure function of the report snapshot (a JSON-able dict, see
the report schema) and returns a `SafeString`: an `<svg role="img">` named by
its `<title>` and described in full by its `<desc>`, sized by a viewBox so that
it scales, with every label escaped. Meaning never rests on colour alone: the
three stances have a pattern each (solid, stripes, dots) and their names
written beside the bars, heatmap cells carry their counts, and opinion groups
differ in shape as well as colour. Colours come from the Okabe-Ito palette,
which stays distinct for the common kinds of colour blindness, and the shades
are chosen to differ in lightness so that a greyscale print still reads.

No inline `style` and no script: the site's Content Security Policy forbids
both, so the SVG speaks only in presentation attributes, which WeasyPrint also
understands when it draws the PDF.

`chart_table(kind, snapshot)` gives the same figures as rows for the table
under each chart; `report_figure(kind, snapshot)` bundles title, SVG, table and
the message to show when there is nothing to draw.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#c9d0d9"
TRACK = "#eef0f3"
BAR = "#0b4f8a"
# Okabe-Ito: blue, vermillion, bluish green, reddish purple, orange.
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
STANCE_COLOURS = {"support": "#0072B2", "oppose": "#D55E00", "neutral": "#9aa3ae"}
STANCES = ("support", "oppose", "neutral")
# For WeasyPrint, which finds each glyph in the first font of the list that has
# it: Noto Sans CJK holds Latin and Chinese in every weight; without it, Latin
# comes from a font with a bold and Chinese from the fallbacks. The page's CSS
# overrides this in browsers.
FONT = (
    "Noto Sans CJK SC, Noto Sans, DejaVu Sans, WenQuanYi Micro Hei, Droid Sans Fallback, sans-serif"
)
# More bars than this make a chart that nobody reads; the table has them all.
MAX_BARS = 12
MAX_CAMPAIGN_BARS = 10
GROUP_LETTERS = "ABCDE"

KINDS = ("stances", "sections", "daily", "themes", "groups", "campaigns")


# --- small helpers ------------------------------------------------------------


def stance_label(stance: str) -> str:
    return {"support": _("Support"), "oppose": _("Oppose"), "neutral": _("Neutral")}[stance]


def group_label(group_id: int) -> str:
    """Groups are named by letter, as Polis does: A is the largest."""
    letter = GROUP_LETTERS[group_id] if 0 <= group_id < len(GROUP_LETTERS) else str(group_id + 1)
    return _("Group %(letter)s") % {"letter": letter}


def number(value: int | float) -> str:
    return number_format(value, force_grouping=True)


def percent(share: float | None) -> str:
    """A share in [0, 1] as a percentage: whole numbers stay whole (60%), others
    keep one decimal (37.5%)."""
    value = round(float(share or 0) * 100, 1)
    return f"{value:.1f}".removesuffix(".0") + "%"


def _share(block: dict, stance: str) -> float:
    shares = block.get("shares") or {}
    if stance in shares:
        return float(shares[stance])
    total = block.get("total") or 0
    return block.get(stance, 0) / total if total else 0.0


def _width(text: str) -> int:
    """Width in half-em units: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit(text: str, units: int) -> str:
    """The text, cut with an ellipsis to fit `units` half-ems."""
    text = " ".join(str(text).split())
    if _width(text) <= units:
        return text
    kept, used = [], 0
    for char in text:
        used += _width(char)
        if used > units - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _num(value: float) -> str:
    """A coordinate: short, and never localised (SVG wants a dot)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 13,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "",
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" fill="{fill}"'
        f' text-anchor="{anchor}"{bold}>{escape(text)}</text>'
    )


def _rect(
    x: float, y: float, width: float, height: float, fill: str, *, stroke: str = "", extra: str = ""
) -> str:
    outline = f' stroke="{stroke}" stroke-width="0.75"' if stroke else ""
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" height="{_num(height)}"'
        f' fill="{fill}"{outline}{extra}/>'
    )


def _stance_patterns(prefix: str) -> str:
    """Support is solid (no pattern), oppose striped, neutral dotted: told apart
    without colour."""
    oppose, neutral = STANCE_COLOURS["oppose"], STANCE_COLOURS["neutral"]
    return (
        f'<pattern id="{prefix}-oppose" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{oppose}"/>'
        f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="2"/>'
        f"</pattern>"
        f'<pattern id="{prefix}-neutral" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{neutral}"/>'
        f'<circle cx="3" cy="3" r="1.2" fill="{INK}"/></pattern>'
    )


def _stance_fill(prefix: str, stance: str) -> str:
    return STANCE_COLOURS["support"] if stance == "support" else f"url(#{prefix}-{stance})"


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ink_on(fill: str) -> str:
    """White or near-black text, whichever contrasts more with the fill."""
    light = _luminance(fill)
    on_white = 1.05 / (light + 0.05)
    on_ink = (light + 0.05) / (_luminance(INK) + 0.05)
    return "#ffffff" if on_white > on_ink else INK


def _repeat_pattern(prefix: str) -> str:
    """Light stripes: the part of a bar that counts repeated (campaign) copies."""
    return (
        f'<pattern id="{prefix}-repeat" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#c6d9ea"/>'
        f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{BAR}" stroke-width="1"/>'
        f"</pattern>"
    )


def _svg(
    prefix: str, title: str, desc: str, width: int, height: int, body: Iterable[str], defs: str = ""
) -> SafeString:
    """The chart's frame: named by its title and described by its text alternative."""
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{prefix}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-labelledby="{title_id} {desc_id}" focusable="false"'
        f' font-family="{FONT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    if defs:
        parts.append(f"<defs>{defs}</defs>")
    parts.extend(body)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _summary(snapshot: dict) -> dict:
    return snapshot.get("summary") or {}


def excerpt(snapshot: dict, comment_id: int) -> str:
    """The excerpt of a comment the summary refers to (ids are string keys in JSON)."""
    comments = _summary(snapshot).get("comments") or {}
    found = comments.get(str(comment_id)) or comments.get(comment_id) or {}
    return found.get("excerpt") or _("Comment %(id)s") % {"id": comment_id}


def posix_date(seconds: float | None) -> str:
    """A campaign's first or last time, as a date in the site's time zone."""
    if seconds is None:
        return ""
    moment = dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC)
    return timezone.localtime(moment).date().isoformat()


def _nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 x 10^n) for an axis that reaches at least `top`."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


# --- (a) stance on the whole proposal ---------------------------------------


def stances_chart(snapshot: dict, *, prefix: str = "chart-stances") -> SafeString:
    block = _summary(snapshot).get("stances", {}).get("proposal") or {}
    total = block.get("total") or 0
    if not total:
        return SafeString("")
    label_w, bar_x, bar_w, row_h, bar_h = 96, 104, 400, 40, 24
    body = []
    for index, stance in enumerate(STANCES):
        top = 8 + index * row_h
        share = _share(block, stance)
        width = bar_w * share
        body.append(_text(label_w, top + 17, stance_label(stance), anchor="end", weight="600"))
        body.append(_rect(bar_x, top, bar_w, bar_h, TRACK))
        if width:
            body.append(
                _rect(bar_x, top, max(width, 1.5), bar_h, _stance_fill(prefix, stance), stroke=INK)
            )
        value = f"{number(block.get(stance, 0))} ({percent(share)})"
        body.append(_text(bar_x + bar_w + 8, top + 17, value))
    body.append(
        f'<line x1="{bar_x}" y1="4" x2="{bar_x}" y2="{8 + 3 * row_h - 12}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    return _svg(
        prefix,
        _("Stance on the whole proposal"),
        _stances_desc(block),
        640,
        8 + 3 * row_h,
        body,
        _stance_patterns(prefix),
    )


def _stances_desc(block: dict) -> str:
    parts = [
        f"{stance_label(s)} {number(block.get(s, 0))} ({percent(_share(block, s))})"
        for s in STANCES
    ]
    total = block.get("total") or 0
    people = ngettext("%(count)s person", "%(count)s people", total) % {"count": number(total)}
    return _("%(parts)s; %(people)s in all.") % {"parts": ", ".join(parts), "people": people}


def _stances_table(snapshot: dict) -> dict:
    block = _summary(snapshot).get("stances", {}).get("proposal") or {}
    rows = []
    if block.get("total"):
        rows = [[stance_label(s), block.get(s, 0), percent(_share(block, s))] for s in STANCES]
        rows.append([_("All"), block.get("total", 0), "100%"])
    return _table(_("Stance on the whole proposal"), [_("Stance"), _("People"), _("Share")], rows)


# --- (b) section heatmap ----------------------------------------------------


def _blend(colour: str, strength: float) -> str:
    """The colour mixed with white: `strength` 0 is white, 1 the full colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (c - 255) * strength) for c in (red, green, blue)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _heat_rows(snapshot: dict) -> list[dict]:
    stances = _summary(snapshot).get("stances") or {}
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
        _text(
            label_w + index * cell_w + cell_w / 2,
            18,
            stance_label(s),
            anchor="middle",
            weight="600",
        )
        for index, s in enumerate(STANCES)
    ]
    body.append(_text(label_w + 3 * cell_w + 44, 18, _("People"), anchor="middle", weight="600"))
    for index, row in enumerate(rows):
        top = head_h + index * cell_h
        block = row["block"]
        weight = "700" if row["whole"] else ""
        body.append(
            _text(label_w - 8, top + 22, fit(row["label"], 34), anchor="end", weight=weight)
        )
        for column, stance in enumerate(STANCES):
            body.extend(_heat_cell(label_w + column * cell_w, top, cell_w, cell_h, block, stance))
        body.append(
            _text(
                label_w + 3 * cell_w + 44, top + 22, number(block.get("total", 0)), anchor="middle"
            )
        )
    height = head_h + len(rows) * cell_h + 4
    desc = _sections_desc(rows)
    return _svg(prefix, _("Stance on each section"), desc, label_w + 3 * cell_w + 92, height, body)


def _heat_cell(x: float, y: float, w: float, h: float, block: dict, stance: str) -> list[str]:
    """A cell shaded by its share (darker is larger) with its count written in it."""
    count = block.get(stance, 0)
    share = _share(block, stance)
    if not block.get("total"):
        fill, ink, label = "#f7f8fa", MUTED, "–"
    else:
        strength = 0.1 + 0.9 * share
        fill = _blend(STANCE_COLOURS[stance], strength)
        ink = ink_on(fill)
        label = f"{number(count)} · {percent(share)}"
    return [
        _rect(x + 1, y + 1, w - 2, h - 2, fill, stroke=GRID),
        _text(x + w / 2, y + h / 2 + 5, label, anchor="middle", fill=ink),
    ]


def _sections_desc(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        block = row["block"]
        if not block.get("total"):
            lines.append(_("%(label)s: no stances") % {"label": row["label"]})
            continue
        parts = ", ".join(
            f"{stance_label(s).lower()} {number(block.get(s, 0))} ({percent(_share(block, s))})"
            for s in STANCES
        )
        lines.append(f"{row['label']}: {parts}")
    return "; ".join(lines) + "."


def _sections_table(snapshot: dict) -> dict:
    stances = _summary(snapshot).get("stances") or {}
    rows, keys = [], []
    for section in stances.get("sections") or []:
        cells = [f"{number(section.get(s, 0))} ({percent(_share(section, s))})" for s in STANCES]
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
    return _table(_("Stance on each section"), columns, rows, keys)


# --- (c) daily participation ------------------------------------------------


def _days(daily: list[dict]) -> list[tuple[dt.date, dict]]:
    """Every day from the first to the last, quiet days included (as empty bars)."""
    by_date = {dt.date.fromisoformat(day["date"]): day for day in daily}
    if not by_date:
        return []
    first, last = min(by_date), max(by_date)
    span = (last - first).days + 1
    return [
        (first + dt.timedelta(days=offset), by_date.get(first + dt.timedelta(days=offset), {}))
        for offset in range(span)
    ]


def daily_chart(snapshot: dict, *, prefix: str = "chart-daily") -> SafeString:
    daily = _summary(snapshot).get("participation", {}).get("daily") or []
    days = _days(daily)
    if not days or not any(day.get("participants") for _date, day in days):
        return SafeString("")
    left, right, top, bottom, width, height = 52, 628, 28, 214, 640, 262
    values = [day.get("participants", 0) for _date, day in days]
    step = _nice_step(max(values))
    y_max = step * math.ceil(max(values) / step)
    body = [_text(0, 14, _("People taking part"), size=12, fill=MUTED)]
    for tick in range(0, y_max + 1, step):
        y = bottom - (bottom - top) * tick / y_max
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}"'
            f' stroke="{GRID}" stroke-width="0.75"/>'
        )
        body.append(_text(left - 6, y + 4, number(tick), size=11, anchor="end", fill=MUTED))
    slot = (right - left) / len(days)
    bar = max(slot * 0.75, 0.6)
    label_every = math.ceil(len(days) / 7)
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    for index, ((date, _day), value) in enumerate(zip(days, values, strict=True)):
        x = left + index * slot + (slot - bar) / 2
        centre = left + index * slot + slot / 2
        if value:
            h = (bottom - top) * value / y_max
            body.append(_rect(x, bottom - h, bar, h, BAR))
            if len(days) <= 31 or index == peak:
                body.append(_text(centre, bottom - h - 3, number(value), size=9, anchor="middle"))
        if index % label_every == 0 or len(days) <= 62:
            tick_len = 5 if index % label_every == 0 else 2
            body.append(
                f'<line x1="{_num(centre)}" y1="{bottom}" x2="{_num(centre)}"'
                f' y2="{bottom + tick_len}" stroke="{INK}" stroke-width="0.5"/>'
            )
        if index % label_every == 0:
            body.append(_text(centre, bottom + 18, date.isoformat(), size=10, anchor="middle"))
    body.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    body.append(
        _text((left + right) / 2, height - 4, _("Date"), size=12, anchor="middle", fill=MUTED)
    )
    return _svg(
        prefix, _("People taking part each day"), _daily_desc(days, values), width, height, body
    )


def _daily_desc(days: list[tuple[dt.date, dict]], values: list[int]) -> str:
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    text = _(
        "From %(first)s to %(last)s (%(days)s days). The busiest day was %(peak)s, with "
        "%(count)s people."
    ) % {
        "first": days[0][0].isoformat(),
        "last": days[-1][0].isoformat(),
        "days": number(len(days)),
        "peak": days[peak][0].isoformat(),
        "count": number(values[peak]),
    }
    if len(days) <= 31:
        listing = "; ".join(
            f"{date.isoformat()}: {number(value)}"
            for (date, _day), value in zip(days, values, strict=True)
        )
        return f"{text} {listing}."
    return text + " " + _("Every day's figures are in the table.")


def _daily_table(snapshot: dict) -> dict:
    daily = _summary(snapshot).get("participation", {}).get("daily") or []
    rows = [
        [
            day["date"],
            day.get("participants", 0),
            day.get("comments", 0),
            day.get("replies", 0),
            day.get("comment_votes", 0),
            day.get("stances", 0),
        ]
        for day in daily
    ]
    columns = [
        _("Date"),
        _("People"),
        _("Comments"),
        _("Replies"),
        _("Comment votes"),
        _("Stances"),
    ]
    return _table(_("Participation each day"), columns, rows)


def _jurisdictions_table(snapshot: dict) -> dict:
    places = _summary(snapshot).get("participation", {}).get("jurisdictions") or []
    rows = [[place.get("name") or _("Unknown"), place.get("participants", 0)] for place in places]
    return _table(_("People taking part, by where they live"), [_("Where"), _("People")], rows)


# --- (d) themes -------------------------------------------------------------


def _horizontal_bars(prefix: str, rows: list[dict], legend: list[tuple[str, str]]) -> list[str]:
    """Label above, bar below, value after it: long (and Chinese) labels keep their room.
    Each row: label, value text, and parts [(count, fill)] drawn end to end."""
    bar_w, row_h = 470, 42
    top0 = 24 if legend else 0
    largest = max(sum(count for count, _fill in row["parts"]) for row in rows) or 1
    body = []
    x = 0
    for fill, label in legend:
        body.append(_rect(x, 4, 14, 14, fill, stroke=INK))
        body.append(_text(x + 20, 16, label, size=12))
        x += 40 + _width(label) * 7
    for index, row in enumerate(rows):
        top = top0 + index * row_h
        body.append(_text(0, top + 14, fit(row["label"], 88), size=13))
        offset = 0.0
        for count, fill in row["parts"]:
            if count:
                w = max(bar_w * count / largest, 1.5)
                body.append(_rect(offset, top + 20, w, 16, fill, stroke=INK))
                offset += w
        body.append(_text(offset + 6, top + 33, row["value"], size=12))
    return body


def themes_chart(snapshot: dict, *, prefix: str = "chart-themes") -> SafeString:
    themes = (_summary(snapshot).get("themes") or {}).get("tagged") or []
    if not any(theme.get("comments") for theme in themes):
        return SafeString("")
    shown = themes[:MAX_BARS]
    rows = []
    for theme in shown:
        comments = theme.get("comments", 0)
        unique = min(theme.get("comments_unique", comments), comments)
        rows.append(
            {
                "label": theme.get("name", ""),
                "value": _("%(comments)s (%(unique)s unique)")
                % {"comments": number(comments), "unique": number(unique)},
                "parts": [(unique, BAR), (comments - unique, f"url(#{prefix}-repeat)")],
            }
        )
    legend = [(BAR, _("Unique comments")), (f"url(#{prefix}-repeat)", _("Repeated copies"))]
    body = _horizontal_bars(prefix, rows, legend)
    return _svg(
        prefix,
        _("Themes, by number of comments"),
        _themes_desc(themes, shown),
        640,
        24 + len(rows) * 42 + 4,
        body,
        _repeat_pattern(prefix),
    )


def _themes_desc(themes: list[dict], shown: list[dict]) -> str:
    parts = [
        _("%(name)s: %(comments)s comments, %(unique)s unique")
        % {
            "name": theme.get("name", ""),
            "comments": number(theme.get("comments", 0)),
            "unique": number(theme.get("comments_unique", theme.get("comments", 0))),
        }
        for theme in shown
    ]
    text = "; ".join(parts) + "."
    if len(themes) > len(shown):
        text += " " + _("The %(shown)s largest of %(all)s themes are drawn; the table has all.") % {
            "shown": len(shown),
            "all": len(themes),
        }
    return text


def _themes_table(snapshot: dict) -> dict:
    themes = (_summary(snapshot).get("themes") or {}).get("tagged") or []
    rows = [[t.get("name", ""), t.get("comments", 0), t.get("comments_unique", 0)] for t in themes]
    keys = [f"theme:{t.get('slug', '')}" for t in themes]
    return _table(
        _("Themes tagged by the moderators"),
        [_("Theme"), _("Comments"), _("Unique comments")],
        rows,
        keys,
    )


def _suggested_table(snapshot: dict) -> dict:
    themes = (_summary(snapshot).get("themes") or {}).get("suggested") or []
    rows = [
        [
            t.get("label", ""),
            ", ".join(t.get("terms") or []),
            t.get("comments", 0),
            excerpt(snapshot, t["representative"][0]) if t.get("representative") else "",
        ]
        for t in themes
    ]
    keys = [
        f"comment:{t['representative'][0]}" if t.get("representative") else None for t in themes
    ]
    return _table(
        _("Themes suggested automatically from the text"),
        [_("Suggested theme"), _("Words"), _("Comments"), _("Example")],
        rows,
        keys,
    )


# --- (e) opinion groups -----------------------------------------------------


def _marker(shape: int, x: float, y: float, size: float, fill: str, stroke: str) -> str:
    """One person's mark: circle, square, triangle, diamond or cross, by group."""
    paint = f'fill="{fill}" fill-opacity="0.8" stroke="{stroke}" stroke-width="0.75"'
    s = size
    if shape == 0:
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(s)}" {paint}/>'
    if shape == 1:
        return (
            f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}"'
            f' height="{_num(2 * s)}" {paint}/>'
        )
    if shape == 2:
        points = (
            f"{_num(x)},{_num(y - 1.2 * s)} {_num(x + 1.1 * s)},{_num(y + s)} "
            f"{_num(x - 1.1 * s)},{_num(y + s)}"
        )
        return f'<polygon points="{points}" {paint}/>'
    if shape == 3:
        points = (
            f"{_num(x)},{_num(y - 1.3 * s)} {_num(x + 1.3 * s)},{_num(y)} "
            f"{_num(x)},{_num(y + 1.3 * s)} {_num(x - 1.3 * s)},{_num(y)}"
        )
        return f'<polygon points="{points}" {paint}/>'
    return (
        f'<path d="M{_num(x - s)},{_num(y - s)} L{_num(x + s)},{_num(y + s)} '
        f'M{_num(x - s)},{_num(y + s)} L{_num(x + s)},{_num(y - s)}" stroke="{fill}"'
        f' stroke-width="2.2" fill="none"/>'
    )


def groups_ok(snapshot: dict) -> bool:
    groups = _summary(snapshot).get("groups") or {}
    return groups.get("status") == "ok" and bool(groups.get("groups"))


def groups_message(snapshot: dict) -> str:
    """Why there are no opinion groups, in words, instead of a chart of noise."""
    groups = _summary(snapshot).get("groups") or {}
    status = groups.get("status")
    counts = {
        "voters": number(groups.get("participants") or 0),
        "people": number(groups.get("participants_considered") or 0),
    }
    if status == "ok" and groups.get("groups"):
        return ""
    if status == "no_clear_groups":
        return (
            _(
                "The votes do not fall into clear groups: the views of the %(people)s people who "
                "voted on enough comments are spread out rather than gathered in camps, so no "
                "groups are shown."
            )
            % counts
        )
    return (
        _(
            "There are too few votes to find opinion groups reliably: %(voters)s people voted on "
            "comments, %(people)s of them on enough comments to be counted. Groups are shown only "
            "when there are enough votes to tell them apart from chance."
        )
        % counts
    )


def groups_chart(snapshot: dict, *, prefix: str = "chart-groups") -> SafeString:
    if not groups_ok(snapshot):
        return SafeString("")
    data = _summary(snapshot)["groups"]
    groups = data["groups"]
    points = data.get("points") or []
    xs = [p[0] for p in points] + [g["centre"][0] for g in groups]
    ys = [p[1] for p in points] + [g["centre"][1] for g in groups]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6) * 1.1
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    left, top, side = 20, 10, 380

    def place(x: float, y: float) -> tuple[float, float]:
        # One scale for both axes, so that distances mean the same either way.
        return (
            left + side / 2 + (x - mid_x) / span * side,
            top + side / 2 - (y - mid_y) / span * side,
        )

    body = [_rect(left, top, side, side, "#ffffff", stroke=GRID)]
    for x, y, group in points:
        px, py = place(x, y)
        colour = GROUP_COLOURS[int(group) % len(GROUP_COLOURS)]
        body.append(_marker(int(group) % 5, px, py, 3.2, colour, INK))
    for group in groups:
        px, py = place(*group["centre"])
        letter = group_label(group["id"]).split()[-1]
        body.append(
            f'<circle cx="{_num(px)}" cy="{_num(py)}" r="11" fill="#ffffff"'
            f' stroke="{INK}" stroke-width="1.5"/>'
        )
        body.append(_text(px, py + 4.5, letter, size=13, anchor="middle", weight="700"))
    body.extend(_groups_legend(data, left + side + 24))
    variance = data.get("explained_variance") or []
    if variance:
        note = _("Position: the two main patterns in the votes (%(share)s of the variation)") % {
            "share": percent(sum(variance[:2]))
        }
        body.append(_text(left, top + side + 22, note, size=11, fill=MUTED))
    return _svg(prefix, _("Opinion groups"), _groups_desc(data), 640, top + side + 32, body)


def _groups_legend(data: dict, x: float) -> list[str]:
    considered = data.get("participants_considered") or sum(g["size"] for g in data["groups"])
    body = [_text(x, 24, _("Each mark is one person"), size=12, fill=MUTED)]
    for index, group in enumerate(data["groups"]):
        y = 52 + index * 44
        colour = GROUP_COLOURS[group["id"] % len(GROUP_COLOURS)]
        body.append(_marker(group["id"] % 5, x + 6, y - 4, 5, colour, INK))
        body.append(_text(x + 18, y, group_label(group["id"]), weight="700"))
        people = ngettext("%(count)s person", "%(count)s people", group["size"]) % {
            "count": number(group["size"])
        }
        share = percent(group["size"] / considered) if considered else ""
        body.append(_text(x + 18, y + 17, f"{people} ({share})", size=12))
    return body


def _groups_desc(data: dict) -> str:
    parts = [
        _("%(group)s, %(count)s people")
        % {"group": group_label(g["id"]), "count": number(g["size"])}
        for g in data["groups"]
    ]
    return _(
        "%(k)s opinion groups among %(people)s people who voted on %(comments)s comments: "
        "%(groups)s. Each mark is one person (a sample of at most 2,000), placed by how they "
        "voted: people who voted alike are close together."
    ) % {
        "k": len(data["groups"]),
        "people": number(data.get("participants_considered") or 0),
        "comments": number(data.get("comments_considered") or 0),
        "groups": "; ".join(parts),
    }


def _groups_table(snapshot: dict) -> dict:
    if not groups_ok(snapshot):
        return _table(_("Opinion groups"), [], [])
    data = _summary(snapshot)["groups"]
    considered = data.get("participants_considered") or 0
    rows = [
        [
            group_label(g["id"]),
            g["size"],
            percent(g["size"] / considered) if considered else "",
            len(g.get("distinctive") or []),
        ]
        for g in data["groups"]
    ]
    keys = [f"group:{g['id']}" for g in data["groups"]]
    columns = [_("Group"), _("People"), _("Share"), _("Comments that set it apart")]
    return _table(_("Opinion groups"), columns, rows, keys)


def _shares_text(shares: list[float]) -> str:
    return ", ".join(f"{group_label(index)} {percent(share)}" for index, share in enumerate(shares))


def direction_label(direction: str) -> str:
    return _("Agree") if direction == "agree" else _("Disagree")


def _consensus_table(snapshot: dict) -> dict:
    data = _summary(snapshot).get("groups") or {}
    items = (data.get("consensus") or []) if groups_ok(snapshot) else []
    rows = [
        [
            excerpt(snapshot, item["comment"]),
            direction_label(item.get("direction", "agree")),
            _shares_text(item.get("shares") or []),
        ]
        for item in items
    ]
    keys = [f"comment:{item['comment']}" for item in items]
    return _table(
        _("Comments on which every group agrees"),
        [_("Comment"), _("Every group tends to"), _("Share in each group")],
        rows,
        keys,
    )


def _divisive_table(snapshot: dict) -> dict:
    data = _summary(snapshot).get("groups") or {}
    items = (data.get("divisive") or []) if groups_ok(snapshot) else []
    rows = [
        [
            excerpt(snapshot, item["comment"]),
            _shares_text(item.get("shares") or []),
            percent(item.get("spread", 0)),
        ]
        for item in items
    ]
    keys = [f"comment:{item['comment']}" for item in items]
    return _table(
        _("Comments that divide the groups most"),
        [_("Comment"), _("Agree, in each group"), _("Gap between groups")],
        rows,
        keys,
    )


# --- (f) campaigns ----------------------------------------------------------


def campaigns_chart(snapshot: dict, *, prefix: str = "chart-campaigns") -> SafeString:
    campaigns = (_summary(snapshot).get("campaigns") or {}).get("groups") or []
    if not campaigns:
        return SafeString("")
    shown = campaigns[:MAX_CAMPAIGN_BARS]
    rows = [
        {
            "label": f"{index}. {excerpt(snapshot, c['representative'])}",
            "value": ngettext("%(count)s comment", "%(count)s comments", c["size"])
            % {"count": number(c["size"])},
            "parts": [(c["size"], BAR)],
        }
        for index, c in enumerate(shown, start=1)
    ]
    body = _horizontal_bars(prefix, rows, [])
    return _svg(
        prefix,
        _("The largest campaigns"),
        _campaigns_desc(snapshot, campaigns, shown),
        640,
        len(rows) * 42 + 4,
        body,
    )


def campaigns_sentence(snapshot: dict) -> str:
    data = _summary(snapshot).get("campaigns") or {}
    groups = data.get("groups") or []
    return _(
        "%(comments)s comments came from %(campaigns)s campaigns; counted once each, there "
        "were %(unique)s unique comments."
    ) % {
        "comments": number(data.get("comments_in_groups") or 0),
        "campaigns": number(len(groups)),
        "unique": number(data.get("unique_comments") or 0),
    }


def _campaigns_desc(snapshot: dict, campaigns: list[dict], shown: list[dict]) -> str:
    parts = [
        _("%(index)s. “%(text)s”: %(count)s comments, %(variations)s variations")
        % {
            "index": index,
            "text": fit(excerpt(snapshot, c["representative"]), 60),
            "count": number(c["size"]),
            "variations": number(c.get("variations", 1)),
        }
        for index, c in enumerate(shown, start=1)
    ]
    text = campaigns_sentence(snapshot) + " " + "; ".join(parts) + "."
    if len(campaigns) > len(shown):
        text += " " + _("The table lists all %(count)s campaigns.") % {"count": len(campaigns)}
    return text


def _campaigns_table(snapshot: dict) -> dict:
    campaigns = (_summary(snapshot).get("campaigns") or {}).get("groups") or []
    rows = [
        [
            excerpt(snapshot, c["representative"]),
            c["size"],
            c.get("variations", 1),
            posix_date(c.get("first")),
            posix_date(c.get("last")),
        ]
        for c in campaigns
    ]
    keys = [f"campaign:{c['id']}" for c in campaigns]
    columns = [_("Campaign (first comment)"), _("Comments"), _("Variations"), _("First"), _("Last")]
    return _table(_("Campaigns: near-identical comments"), columns, rows, keys)


# --- response coverage ------------------------------------------------------


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _coverage_themes_table(snapshot: dict) -> dict:
    coverage = _summary(snapshot).get("coverage") or {}
    themes = coverage.get("themes") or []
    slugs = {
        t.get("name"): t.get("slug")
        for t in (_summary(snapshot).get("themes") or {}).get("tagged") or []
    }
    rows = [[t["name"], yes_no(t.get("answered")), t.get("responses", 0)] for t in themes]
    keys = [f"theme:{slugs[t['name']]}" if slugs.get(t["name"]) else None for t in themes]
    return _table(
        _("Official responses, by theme"), [_("Theme"), _("Answered"), _("Responses")], rows, keys
    )


def _coverage_sections_table(snapshot: dict) -> dict:
    sections = (_summary(snapshot).get("coverage") or {}).get("sections") or []
    rows = [[s["heading"], yes_no(s.get("answered")), s.get("responses", 0)] for s in sections]
    keys = [f"section:{s['id']}" for s in sections]
    return _table(
        _("Official responses, by section"),
        [_("Section"), _("Answered"), _("Responses")],
        rows,
        keys,
    )


def _coverage_comments_table(snapshot: dict) -> dict:
    top = (_summary(snapshot).get("coverage") or {}).get("top_comments") or []
    rows = [
        [excerpt(snapshot, c["comment"]), c.get("agree", 0), yes_no(c.get("answered"))] for c in top
    ]
    keys = [f"comment:{c['comment']}" for c in top]
    return _table(
        _("The most agreed comments, and whether they were answered"),
        [_("Comment"), _("Agree votes"), _("Answered")],
        rows,
        keys,
    )


# --- tables and figures -----------------------------------------------------


def _table(caption: str, columns: list[str], rows: list[list], keys: list | None = None) -> dict:
    return {
        "caption": caption,
        "columns": columns,
        "rows": rows,
        "keys": keys if keys is not None else [None] * len(rows),
    }


CHARTS: dict[str, Callable[..., SafeString]] = {
    "stances": stances_chart,
    "sections": sections_chart,
    "daily": daily_chart,
    "themes": themes_chart,
    "groups": groups_chart,
    "campaigns": campaigns_chart,
}

TABLES: dict[str, Callable[[dict], dict]] = {
    "stances": _stances_table,
    "sections": _sections_table,
    "daily": _daily_table,
    "themes": _themes_table,
    "groups": _groups_table,
    "campaigns": _campaigns_table,
    "jurisdictions": _jurisdictions_table,
    "suggested_themes": _suggested_table,
    "consensus": _consensus_table,
    "divisive": _divisive_table,
    "coverage_themes": _coverage_themes_table,
    "coverage_sections": _coverage_sections_table,
    "coverage_comments": _coverage_comments_table,
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
