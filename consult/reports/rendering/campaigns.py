"""(f) The largest campaigns of near-identical comments."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult.reports.rendering import svg
from consult.reports.rendering.svg import (
    BAR,
    MAX_CAMPAIGN_BARS,
    campaign_excerpt,
    fit,
    number,
    posix_date,
)


def campaigns_chart(snapshot: dict, *, prefix: str = "chart-campaigns") -> SafeString:
    campaigns = (svg.summary_of(snapshot).get("campaigns") or {}).get("groups") or []
    if not campaigns:
        return SafeString("")
    shown = campaigns[:MAX_CAMPAIGN_BARS]
    rows = [
        {
            "label": f"{index}. {campaign_excerpt(snapshot, c)}",
            "value": ngettext("%(count)s comment", "%(count)s comments", c["size"])
            % {"count": number(c["size"])},
            "parts": [(c["size"], BAR)],
        }
        for index, c in enumerate(shown, start=1)
    ]
    body = svg.horizontal_bars(prefix, rows, [])
    return svg.document(
        prefix,
        _("The largest campaigns"),
        _campaigns_desc(snapshot, campaigns, shown),
        640,
        len(rows) * 42 + 4,
        body,
    )


def campaigns_sentence(snapshot: dict) -> str:
    data = svg.summary_of(snapshot).get("campaigns") or {}
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
            "text": fit(campaign_excerpt(snapshot, c), 60),
            "count": number(c["size"]),
            "variations": number(c.get("variations", 1)),
        }
        for index, c in enumerate(shown, start=1)
    ]
    text = campaigns_sentence(snapshot) + " " + "; ".join(parts) + "."
    if len(campaigns) > len(shown):
        text += " " + _("The table lists all %(count)s campaigns.") % {"count": len(campaigns)}
    return text


def campaigns_table(snapshot: dict) -> dict:
    campaigns = (svg.summary_of(snapshot).get("campaigns") or {}).get("groups") or []
    rows = [
        [
            campaign_excerpt(snapshot, c),
            c["size"],
            c.get("variations", 1),
            posix_date(c.get("first")),
            posix_date(c.get("last")),
        ]
        for c in campaigns
    ]
    keys = [f"campaign:{c['id']}" for c in campaigns]
    columns = [_("Campaign (first comment)"), _("Comments"), _("Variations"), _("First"), _("Last")]
    return svg.table(_("Campaigns: near-identical comments"), columns, rows, keys)
