"""What every figure of the report shares: the colours, the SVG drawing
helpers (text, boxes, patterns, the chart's frame), the words for stances,
groups and numbers, and the table behind each figure.

No inline `style` and no script: the site's Content Security Policy forbids
both, so the SVG speaks only in presentation attributes, which WeasyPrint also
understands when it draws the PDF.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


# --- drawing and words ------------------------------------------------------------


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


def share(block: dict, stance: str) -> float:
    shares = block.get("shares") or {}
    if stance in shares:
        return float(shares[stance])
    total = block.get("total") or 0
    return block.get(stance, 0) / total if total else 0.0


def text_width(text: str) -> int:
    """Width in half-em units: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit(text: str, units: int) -> str:
    """The text, cut with an ellipsis to fit `units` half-ems."""
    text = " ".join(str(text).split())
    if text_width(text) <= units:
        return text
    kept, used = [], 0
    for char in text:
        used += text_width(char)
        if used > units - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def num(value: float) -> str:
    """A coordinate: short, and never localised (SVG wants a dot)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def text(
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
        f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" fill="{fill}"'
        f' text-anchor="{anchor}"{bold}>{escape(text)}</text>'
    )


def rect(
    x: float, y: float, width: float, height: float, fill: str, *, stroke: str = "", extra: str = ""
) -> str:
    outline = f' stroke="{stroke}" stroke-width="0.75"' if stroke else ""
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}"'
        f' fill="{fill}"{outline}{extra}/>'
    )


def stance_patterns(prefix: str) -> str:
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


def stance_fill(prefix: str, stance: str) -> str:
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


def repeat_pattern(prefix: str) -> str:
    """Light stripes: the part of a bar that counts repeated (campaign) copies."""
    return (
        f'<pattern id="{prefix}-repeat" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#c6d9ea"/>'
        f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{BAR}" stroke-width="1"/>'
        f"</pattern>"
    )


def document(
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


def summary_of(snapshot: dict) -> dict:
    return snapshot.get("summary") or {}


def excerpt(snapshot: dict, comment_id: int) -> str:
    """The excerpt of a comment the summary refers to (ids are string keys in JSON)."""
    comments = summary_of(snapshot).get("comments") or {}
    found = comments.get(str(comment_id)) or comments.get(comment_id) or {}
    return found.get("excerpt") or _("Comment %(id)s") % {"id": comment_id}


def campaign_excerpt(snapshot: dict, campaign: dict) -> str:
    """A campaign's first comment, or for a campaign of form responses only
    the first whose words may be published (docs/form-figures.md)."""
    if campaign.get("representative") is not None:
        return excerpt(snapshot, campaign["representative"])
    quoted = (summary_of(snapshot).get("form") or {}).get("excerpts") or {}
    found = quoted.get(str(campaign.get("representative_response")))
    return found["excerpt"] if found else _("Form responses whose words are not published")


def posix_date(seconds: float | None) -> str:
    """A campaign's first or last time, as a date in the site's time zone."""
    if seconds is None:
        return ""
    moment = dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC)
    return timezone.localtime(moment).date().isoformat()


def nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 x 10^n) for an axis that reaches at least `top`."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def horizontal_bars(prefix: str, rows: list[dict], legend: list[tuple[str, str]]) -> list[str]:
    """Label above, bar below, value after it: long (and Chinese) labels keep their room.
    Each row: label, value text, and parts [(count, fill)] drawn end to end."""
    bar_w, row_h = 470, 42
    top0 = 24 if legend else 0
    largest = max(sum(count for count, _fill in row["parts"]) for row in rows) or 1
    body = []
    x = 0
    for fill, label in legend:
        body.append(rect(x, 4, 14, 14, fill, stroke=INK))
        body.append(text(x + 20, 16, label, size=12))
        x += 40 + text_width(label) * 7
    for index, row in enumerate(rows):
        top = top0 + index * row_h
        body.append(text(0, top + 14, fit(row["label"], 88), size=13))
        offset = 0.0
        for count, fill in row["parts"]:
            if count:
                w = max(bar_w * count / largest, 1.5)
                body.append(rect(offset, top + 20, w, 16, fill, stroke=INK))
                offset += w
        body.append(text(offset + 6, top + 33, row["value"], size=12))
    return body


def table(caption: str, columns: list[str], rows: list[list], keys: list | None = None) -> dict:
    return {
        "caption": caption,
        "columns": columns,
        "rows": rows,
        "keys": keys if keys is not None else [None] * len(rows),
    }
