"""What the report templates need from a published snapshot: its charts and
tables, labels for statuses and groups, and links to the evidence."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consult.infra.content_tags import marked, marked_html
from consult.reports.rendering import campaigns, figures, svg
from consult.reports.rendering import groups as group_figures

register = template.Library()

STATUSES = {
    "accepted": gettext_lazy("Accepted"),
    "partly_accepted": gettext_lazy("Partly accepted"),
    "not_accepted": gettext_lazy("Not accepted"),
    "noted": gettext_lazy("Noted"),
}


@register.simple_tag
def report_figure(kind: str, snapshot: dict) -> dict:
    """`{% report_figure "stances" snapshot as figure %}`: title, SVG, table, empty message."""
    return figures.report_figure(kind, snapshot)


@register.simple_tag
def report_table(kind: str, snapshot: dict) -> dict:
    """`{% report_table "consensus" snapshot as table %}`: a table without a chart."""
    return figures.chart_table(kind, snapshot)


@register.filter
def table_rows(table: dict) -> list[tuple[list, str | None]]:
    """Each row with its evidence key, for `{% for row, key in table|table_rows %}`."""
    return list(zip(table.get("rows") or [], table.get("keys") or [], strict=False))


@register.simple_tag(takes_context=True)
def evidence_href(context, key: str) -> str:
    """The link to the comments behind a figure, or "" when the page has none."""
    base = context.get("evidence_url") or ""
    if not base or not key:
        return ""
    return f"{base}?key={quote(str(key), safe=':')}"


@register.filter
def status_label(status: str) -> str:
    # Responses store "partly"; the report schema spells it out.
    status = "partly_accepted" if status == "partly" else status
    return str(STATUSES.get(status, "")) if status else ""


@register.filter
def status_class(status: str) -> str:
    return "partly_accepted" if status == "partly" else (status or "none")


@register.filter
def percent(share) -> str:
    return svg.percent(share)


@register.filter
def iso_datetime(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time from the snapshot, as a datetime for the `date` filter."""
    if not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


@register.filter
def group_name(group_id: int) -> str:
    return svg.group_label(int(group_id))


def _nearest(value: float) -> int:
    """Halves up (1.5 hours is 2 hours), not to the even neighbour."""
    return int(value + 0.5)


def duration(seconds: float) -> str:
    """A length of time in words, in the unit that fits it: minutes under an
    hour, hours under two days, days beyond; whole units, rounded to the
    nearest, each with its language's plural. Under a minute is "1 minute":
    it reads right after "within", where response times are shown."""
    seconds = max(float(seconds), 0.0)
    minutes = max(_nearest(seconds / 60), 1)
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {
            "count": svg.number(minutes)
        }
    hours = _nearest(seconds / 3600)
    if hours < 48:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": svg.number(hours)}
    days = _nearest(seconds / 86400)
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": svg.number(days)}


@register.filter
def hours(value: float | None) -> str:
    """A response time, stored in hours, in words (see duration)."""
    if value is None:
        return "—"
    return duration(float(value) * 3600)


@register.simple_tag
def report_facts(snapshot: dict) -> list[dict]:
    """The key figures at the top of the report."""
    summary = snapshot.get("summary") or {}
    participation = summary.get("participation") or {}
    coverage = summary.get("coverage") or {}
    comments = participation.get("comments", 0)
    unique = participation.get("comments_unique", comments)
    facts = [
        {"label": _("People who took part"), "value": participation.get("participants", 0)},
        {
            "label": _("Comments"),
            "value": comments,
            "note": _("%(count)s unique") % {"count": svg.number(unique)}
            if unique != comments
            else "",
        },
        {"label": _("Replies"), "value": participation.get("replies", 0)},
        {"label": _("Votes on comments"), "value": participation.get("comment_votes", 0)},
        {
            "label": _("Stances on the proposal and its sections"),
            "value": participation.get("stances", 0),
        },
        {
            "label": _("Comments answered by an official"),
            "value": coverage.get("comments_answered", 0),
            "note": _("of %(count)s public comments")
            % {"count": svg.number(coverage.get("comments_public", 0))},
        },
    ]
    form = summary.get("form")
    if form:
        offline = sum(
            count for channel, count in (form.get("by_channel") or {}).items() if channel != "web"
        )
        facts.insert(
            1,
            {
                "label": _("Responses to the form"),
                "value": form.get("responses") or 0,
                "note": _("%(count)s by post, email, phone or at a meeting")
                % {"count": svg.number(offline)}
                if offline
                else "",
            },
        )
    for fact in facts:
        fact["shown"] = svg.number(fact["value"] or 0)
    return facts


@register.simple_tag
def report_groups(snapshot: dict) -> list[dict]:
    """Each opinion group with the comments that set it apart, in words."""
    if not group_figures.groups_ok(snapshot):
        return []
    data = snapshot["summary"]["groups"]
    considered = data.get("participants_considered") or 0
    groups = []
    for group in data["groups"]:
        items = [
            {
                "comment": item["comment"],
                "excerpt": svg.excerpt(snapshot, item["comment"]),
                "direction": item.get("direction", "agree"),
                "sentence": _distinctive_sentence(item),
            }
            for item in group.get("distinctive") or []
        ]
        groups.append(
            {
                "id": group["id"],
                "label": svg.group_label(group["id"]),
                "size": group["size"],
                "share": svg.percent(group["size"] / considered) if considered else "",
                "distinctive": items,
            }
        )
    return groups


def _distinctive_sentence(item: dict) -> str:
    values = {
        "share": svg.percent(item.get("share")),
        "others": svg.percent(item.get("others_share")),
    }
    if item.get("direction") == "disagree":
        return _("%(share)s of this group disagree, against %(others)s of everyone else.") % values
    return _("%(share)s of this group agree, against %(others)s of everyone else.") % values


@register.simple_tag
def report_campaigns_sentence(snapshot: dict) -> str:
    return campaigns.campaigns_sentence(snapshot)


@register.simple_tag
def report_groups_message(snapshot: dict) -> str:
    return group_figures.groups_message(snapshot)


@register.simple_tag
def report_groups_certainty(snapshot: dict) -> str:
    """How far beyond chance the groups shown are; "" when the summary does not say."""
    return group_figures.groups_certainty(snapshot)


@register.simple_tag
def report_group_consensus(snapshot: dict, limit: int | None = None) -> list[dict] | None:
    """`{% report_group_consensus snapshot 5 as informed %}`: Polis's group-informed
    consensus in words, or None for a summary made before it was computed."""
    return group_figures.group_consensus_items(snapshot, limit)


@register.simple_tag
def report_group_consensus_explained() -> str:
    return group_figures.group_consensus_explained()


@register.filter
def entry_key(entry: dict) -> str:
    """The evidence key of a "you said / we did" entry: `theme:<slug>` or `section:<id>`."""
    key = str(entry.get("key") or "")
    return key if ":" in key else f"{entry.get('kind', '')}:{key}"


@register.filter
def as_key(kind: str, identifier) -> str:
    """`{{ "comment"|as_key:item.comment }}` gives the evidence key "comment:101"."""
    return f"{kind}:{identifier}"


@register.filter
def shown(text):
    """A text of the snapshot in the reader's language, or the one it has
    marked "not yet translated" (see consult.reports.report.languages)."""
    return marked(text)


@register.filter
def shown_html(html):
    """Rendered Markdown of the snapshot (rendered and sanitised when it was
    built); when it stands in for the reader's language, in its own `lang`
    and marked "not yet translated"."""
    return marked_html(html)
