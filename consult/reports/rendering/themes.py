"""(d) The tagged themes by number of comments, and the suggested ones."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from consult.reports.rendering import svg
from consult.reports.rendering.svg import BAR, MAX_BARS, excerpt, number


def themes_chart(snapshot: dict, *, prefix: str = "chart-themes") -> SafeString:
    themes = (svg.summary_of(snapshot).get("themes") or {}).get("tagged") or []
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
    body = svg.horizontal_bars(prefix, rows, legend)
    return svg.document(
        prefix,
        _("Themes, by number of comments"),
        _themes_desc(themes, shown),
        640,
        24 + len(rows) * 42 + 4,
        body,
        svg.repeat_pattern(prefix),
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


def themes_table(snapshot: dict) -> dict:
    themes = (svg.summary_of(snapshot).get("themes") or {}).get("tagged") or []
    rows = [[t.get("name", ""), t.get("comments", 0), t.get("comments_unique", 0)] for t in themes]
    keys = [f"theme:{t.get('slug', '')}" for t in themes]
    return svg.table(
        _("Themes tagged by the moderators"),
        [_("Theme"), _("Comments"), _("Unique comments")],
        rows,
        keys,
    )


def suggested_table(snapshot: dict) -> dict:
    themes = (svg.summary_of(snapshot).get("themes") or {}).get("suggested") or []
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
    return svg.table(
        _("Themes suggested automatically from the text"),
        [_("Suggested theme"), _("Words"), _("Comments"), _("Example")],
        rows,
        keys,
    )
