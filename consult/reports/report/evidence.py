"""The comments behind a figure of the summary or the report.

A figure is named by a key (`theme:<slug>`, `suggested:<n>`, `section:<id>`,
`campaign:<n>`, `group:<n>`, `consensus`, `group_consensus`, `divisive`,
`top`, `comment:<id>`); the summary holds the comments it counted, and this
module reads them back, public ones only, in one query.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from consult.opendata import public
from consult.reports.rendering.svg import group_label
from proposals.models import Proposal

MAX_KEY = 200
CHUNK = 10_000
DIGITS = re.compile(r"[0-9]{1,11}")


def plain_number(text: str) -> int | None:
    """A plain decimal number, or None ("²" and "١" are digits to str.isdigit)."""
    return int(text) if DIGITS.fullmatch(text or "") else None


def resolve(result: dict, key: str) -> tuple[str, list[int] | dict] | None:
    """A title and the comment ids behind `key`, or None when there is no such figure.
    For a section the answer is a filter: its comments, up to the summary's time."""
    if not key or len(key) > MAX_KEY:
        return None
    kind, _sep, rest = key.partition(":")
    number = plain_number(rest)
    if kind == "theme":
        for theme in result["themes"]["tagged"]:
            if theme["slug"] == rest:
                return _("Comments on the theme “%(name)s”") % {"name": theme["name"]}, theme[
                    "comment_ids"
                ]
    elif kind == "suggested" and number is not None:
        suggested = result["themes"]["suggested"]
        if number < len(suggested):
            return _("Comments behind the suggested theme “%(label)s”") % {
                "label": suggested[number]["label"]
            }, suggested[number]["comment_ids"]
    elif kind == "section" and number is not None:
        for section in result["stances"]["sections"]:
            if section["id"] == number:
                return _("Comments on the section “%(heading)s”") % {
                    "heading": section["heading"]
                }, {"section_id": number, "count": section["comments"]}
    elif kind == "campaign" and number is not None:
        for campaign in result["campaigns"]["groups"]:
            if campaign["id"] == number:
                # The comments only: a campaign's form responses are listed
                # for officials on reports:form-responses (?campaign=<n>).
                return _("The %(count)d comments of campaign %(number)d") % {
                    "count": len(campaign["comment_ids"]),
                    "number": number + 1,
                }, campaign["comment_ids"]
    elif kind == "group" and number is not None:
        for group in result["groups"].get("groups") or []:
            if group["id"] == number:
                return _("Comments that set %(group)s apart") % {"group": group_label(number)}, [
                    row["comment"] for row in group["distinctive"]
                ]
    elif key == "consensus":
        rows = result["groups"].get("consensus") or []
        return _("Comments every opinion group agrees on"), [row["comment"] for row in rows]
    elif key == "group_consensus" and "group_consensus" in result["groups"]:
        # Summaries made before it was computed have no such figure.
        rows = result["groups"].get("group_consensus") or []
        return _("Comments most agreed across all opinion groups"), [row["comment"] for row in rows]
    elif key == "divisive":
        rows = result["groups"].get("divisive") or []
        return _("Comments that divide the opinion groups"), [row["comment"] for row in rows]
    elif key == "top":
        rows = result["coverage"]["top_comments"]
        return _("The most agreed comments"), [row["comment"] for row in rows]
    elif kind == "comment" and number is not None and str(number) in result["comments"]:
        return _("One comment"), [number]
    return None


def count(ids: list[int] | dict) -> int:
    """How many comments the figure counted."""
    return ids["count"] if isinstance(ids, dict) else len(ids)


def public_comments(proposal: Proposal):
    return public.comments(proposal).select_related("author", "section", "proposal")


def page_of(*, proposal: Proposal, ids: list[int] | dict, until, page: int, size: int):
    """One page of the public ones among them, in the summary's order (a
    section's: oldest first, written before the summary), and how many of
    all of them are still public."""
    public = public_comments(proposal)
    if isinstance(ids, dict):
        chosen = public.filter(section_id=ids["section_id"])
        if until is not None:
            chosen = chosen.filter(created_at__lte=until)
        chosen = chosen.order_by("created_at", "pk")
        total = chosen.count()
        return list(chosen[(page - 1) * size : page * size]), total
    still: set[int] = set()
    for start in range(0, len(ids), CHUNK):  # SQLite takes at most 32,766 parameters
        chunk = ids[start : start + CHUNK]
        still.update(public.filter(pk__in=chunk).values_list("pk", flat=True))
    ordered = [pk for pk in ids if pk in still]
    wanted = ordered[(page - 1) * size : page * size]
    found = {comment.pk: comment for comment in public.filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found], len(ordered)
