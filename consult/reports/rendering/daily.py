"""(c) People taking part each day, and where they live."""

from __future__ import annotations

import datetime as dt
import math

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from consult.reports.rendering import svg
from consult.reports.rendering.svg import BAR, GRID, INK, MUTED, number


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
    daily = svg.summary_of(snapshot).get("participation", {}).get("daily") or []
    days = _days(daily)
    if not days or not any(day.get("participants") for _date, day in days):
        return SafeString("")
    left, right, top, bottom, width, height = 52, 628, 28, 214, 640, 262
    values = [day.get("participants", 0) for _date, day in days]
    step = svg.nice_step(max(values))
    y_max = step * math.ceil(max(values) / step)
    body = [svg.text(0, 14, _("People taking part"), size=12, fill=MUTED)]
    for tick in range(0, y_max + 1, step):
        y = bottom - (bottom - top) * tick / y_max
        body.append(
            f'<line x1="{left}" y1="{svg.num(y)}" x2="{right}" y2="{svg.num(y)}"'
            f' stroke="{GRID}" stroke-width="0.75"/>'
        )
        body.append(svg.text(left - 6, y + 4, number(tick), size=11, anchor="end", fill=MUTED))
    slot = (right - left) / len(days)
    bar = max(slot * 0.75, 0.6)
    label_every = math.ceil(len(days) / 7)
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    for index, ((date, _day), value) in enumerate(zip(days, values, strict=True)):
        x = left + index * slot + (slot - bar) / 2
        centre = left + index * slot + slot / 2
        if value:
            h = (bottom - top) * value / y_max
            body.append(svg.rect(x, bottom - h, bar, h, BAR))
            if len(days) <= 31 or index == peak:
                body.append(
                    svg.text(centre, bottom - h - 3, number(value), size=9, anchor="middle")
                )
        if index % label_every == 0 or len(days) <= 62:
            tick_len = 5 if index % label_every == 0 else 2
            body.append(
                f'<line x1="{svg.num(centre)}" y1="{bottom}" x2="{svg.num(centre)}"'
                f' y2="{bottom + tick_len}" stroke="{INK}" stroke-width="0.5"/>'
            )
        if index % label_every == 0:
            body.append(svg.text(centre, bottom + 18, date.isoformat(), size=10, anchor="middle"))
    body.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    body.append(
        svg.text((left + right) / 2, height - 4, _("Date"), size=12, anchor="middle", fill=MUTED)
    )
    return svg.document(
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


def daily_table(snapshot: dict) -> dict:
    daily = svg.summary_of(snapshot).get("participation", {}).get("daily") or []
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
    return svg.table(_("Participation each day"), columns, rows)


def jurisdictions_table(snapshot: dict) -> dict:
    places = svg.summary_of(snapshot).get("participation", {}).get("jurisdictions") or []
    rows = [[place.get("name") or _("Unknown"), place.get("participants", 0)] for place in places]
    return svg.table(_("People taking part, by where they live"), [_("Where"), _("People")], rows)
