"""Who answered the response form and how their responses arrived: the
counts by channel and by respondent type (each a chart and a table), the
organisations that responded, the documents attached, and the links from a
count to the responses behind it.

The organisations follow each respondent's publication choice: the
officials' summary lists every one with its official-view flag; the public
report names only those that chose "named" and counts the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult.reports.rendering import svg
from consult.reports.rendering.svg import BAR, number, percent
from discussion.submissions.models import Channel, OrganisationType

KINDS = ("individual", "organisation")
CHANNELS = ("web", "post", "email", "phone", "meeting")
NAMED = "named"


@dataclass(frozen=True)
class Links:
    """Links from a count to the officials' list of the responses behind it;
    no links at all when `base` is empty (the public report)."""

    base: str = ""

    def to(self, **filters) -> str:
        if not self.base:
            return ""
        query = {key: value for key, value in filters.items() if value not in (None, "")}
        return f"{self.base}?{urlencode(query)}" if query else self.base


def cell(text: str, href: str = "") -> dict:
    return {"text": text, "href": href}


def labelled(table: dict | None) -> dict | None:
    """Each linked count named for a screen reader out of its table: "12: Yes, Post"."""
    if not table:
        return table
    columns = table.get("columns") or []
    for row in table.get("rows") or []:
        for index, item in enumerate(row[1:], start=1):
            if item.get("href") and index < len(columns):
                item["label"] = f"{item['text']}: {row[0]['text']}, {columns[index]}"
    return table


def kind_label(kind: str) -> str:
    return {"individual": _("Individuals"), "organisation": _("Organisations")}.get(kind, kind)


def channel_label(channel: str) -> str:
    """The channel as the response form names it (Website, Post, ...)."""
    return str(Channel(channel).label) if channel in Channel.values else channel


def organisation_type_label(value: str) -> str:
    if value in OrganisationType.values:
        return str(OrganisationType(value).label)
    return value or "—"


def publication_label(value: str) -> str:
    return {
        "named": _("With their name"),
        "anonymous": _("Anonymously"),
        "withheld": _("Not to be published"),
    }.get(value or "", value or "—")


def channels_used(form: dict) -> list[str]:
    """The channels that brought at least one response; the website always."""
    by_channel = form.get("by_channel") or {}
    return [c for c in CHANNELS if c == "web" or by_channel.get(c)]


def people(count: int) -> str:
    return ngettext("%(count)s response", "%(count)s responses", count) % {"count": number(count)}


# --- participation -----------------------------------------------------------------------


def _bars(prefix: str, title: str, values: list[tuple[str, int]], total: int) -> SafeString:
    if not total:
        return SafeString("")
    rows = [
        {
            "label": label,
            "value": f"{number(count)} ({percent(count / total)})",
            "parts": [(count, BAR)],
        }
        for label, count in values
    ]
    desc = "; ".join(
        _("%(label)s: %(count)s (%(share)s)")
        % {"label": label, "count": number(count), "share": percent(count / total)}
        for label, count in values
    )
    desc += ". " + _("%(responses)s in all.") % {"responses": people(total)}
    return svg.document(
        prefix, title, desc, 640, len(rows) * 42 + 4, svg.horizontal_bars(prefix, rows, [])
    )


def _breakdown(
    form: dict, field: str, names: tuple[str, ...], label, filter_name: str, links: Links
) -> tuple[list[tuple[str, int]], dict]:
    counts = form.get(field) or {}
    total = form.get("responses") or 0
    values = [(label(name), int(counts.get(name, 0) or 0)) for name in names]
    rows = [
        [
            cell(label(name)),
            cell(number(counts.get(name, 0) or 0), links.to(**{filter_name: name})),
            cell(percent((counts.get(name, 0) or 0) / total) if total else "—"),
        ]
        for name in names
    ]
    rows.append([cell(_("All")), cell(number(total), links.to()), cell("100%" if total else "—")])
    return values, {"columns": [_("Responses"), _("Share")], "rows": rows}


def channel_figure(form: dict, links: Links) -> dict:
    """How responses arrived: website, post, email, phone, meeting."""
    title = _("How responses arrived")
    values, table = _breakdown(form, "by_channel", CHANNELS, channel_label, "channel", links)
    table["caption"] = title
    table["columns"] = [_("Channel"), *table["columns"]]
    return {
        "id": "form-channels",
        "title": title,
        "svg": _bars("form-chart-channels", title, values, form.get("responses") or 0),
        "table": table,
        "empty": _("No responses yet."),
    }


def kind_figure(form: dict, links: Links) -> dict:
    """Individuals and organisations."""
    title = _("Who responded")
    values, table = _breakdown(form, "by_kind", KINDS, kind_label, "kind", links)
    table["caption"] = title
    table["columns"] = [_("Responding as"), *table["columns"]]
    return {
        "id": "form-kinds",
        "title": title,
        "svg": _bars("form-chart-kinds", title, values, form.get("responses") or 0),
        "table": table,
        "empty": _("No responses yet."),
    }


# --- organisations and documents --------------------------------------------------------------


def organisations(form: dict, *, public: bool) -> dict:
    """The organisations that responded. In public only those that chose to be
    named, and how many others asked not to be (a snapshot may already hold the
    named ones only, with the others' count in `organisations_unnamed`)."""
    rows = form.get("organisations") or []
    unnamed = int(form.get("organisations_unnamed") or 0)
    if public:
        named = [row for row in rows if row.get("publication") == NAMED]
        unnamed += len(rows) - len(named)
        rows = named
    listed = [
        {
            "response": row.get("response"),
            "name": row.get("name") or "",
            "type": organisation_type_label(row.get("type") or ""),
            "official_view": bool(row.get("official_view")),
            "publication": publication_label(row.get("publication") or ""),
            "channel": channel_label(row.get("channel") or ""),
        }
        for row in rows
    ]
    listed.sort(key=lambda row: row["name"].casefold())
    return {
        "rows": listed,
        "unnamed": unnamed,
        "unnamed_sentence": (
            ngettext(
                "and %(count)s organisation that asked not to be named.",
                "and %(count)s organisations that asked not to be named.",
                unnamed,
            )
            % {"count": number(unnamed)}
            if unnamed
            else ""
        ),
        "total": len(listed) + (unnamed if public else 0),
    }


def documents_sentence(form: dict) -> str:
    documents = form.get("documents") or {}
    attached = int(documents.get("attached") or 0)
    if not attached:
        return ""
    return ngettext(
        "%(count)s document attached to responses: %(read)s read, %(failed)s could not "
        "be read, %(pending)s waiting to be read.",
        "%(count)s documents attached to responses: %(read)s read, %(failed)s could not "
        "be read, %(pending)s waiting to be read.",
        attached,
    ) % {
        "count": number(attached),
        "read": number(documents.get("read") or 0),
        "failed": number(documents.get("failed") or 0),
        "pending": number(documents.get("pending") or 0),
    }
