"""The report as the public sees it: one JSON-able snapshot, built for the
preview and frozen at publication, with the words of comments no longer
public withheld."""

from __future__ import annotations

import copy
import json

from django.utils import timezone

from consult.infra.text import render_markdown
from consult.opendata import public
from consult.reports.models import EntryKind, ReportEntry, ResponseReport
from consult.reports.report import languages
from consult.reports.report.questions import question_figures
from consult.reports.report.versions import Versions
from proposals import diff
from proposals.models import Proposal


def _diff_rows(entry: ReportEntry, baseline: list, compared: dict[int, list]) -> list[dict]:
    """The changes an entry's version made since the consultation opened:
    the section's own, or (for a theme) every section that changed."""
    if entry.version_id is None or not baseline:
        return []
    if entry.version_id not in compared:
        new = list(entry.version.section_versions.order_by("order"))
        compared[entry.version_id] = diff.compare(baseline, new)
    changes = compared[entry.version_id]
    if entry.kind == EntryKind.SECTION:
        changes = [c for c in changes if str(c.section_id) == entry.key]
    else:
        changes = [c for c in changes if c.kind != "unchanged"]
    # "rendered": the body is the diff of the rendered text; reports published
    # before that hold the diff of the Markdown, shown with its line breaks.
    return [
        {"kind": c.kind, "heading_html": str(c.heading), "body_html": str(c.body), "rendered": True}
        for c in changes
    ]


def snapshot_build(report: ResponseReport, *, published_at=None) -> dict:
    """What the public will see, as one JSON-able dict (also the preview)."""
    proposal = report.proposal
    result = report.summary_run.result
    themes = {row["slug"]: row for row in result["themes"]["tagged"]}
    sections = {str(row["id"]): row for row in result["stances"]["sections"]}
    questions = question_figures(result)
    opened = Versions.of(proposal).baseline
    baseline = list(opened.section_versions.order_by("order")) if opened else []
    compared: dict[int, list] = {}
    report.proposal = proposal
    rows = list(report.entries.select_related("version").order_by("order", "pk"))
    for row in rows:
        if row.version_id:
            # A version's note is in its consultation's language: no query to learn it.
            row.version.proposal = proposal
    entries = [
        _entry_shown(entry, themes, sections, questions, diff=_diff_rows(entry, baseline, compared))
        for entry in rows
    ]
    jurisdiction = getattr(proposal.department, "jurisdiction", None)
    return {
        "schema": 1,
        "proposal": {
            "id": proposal.pk,
            "slug": proposal.slug,
            "title": proposal.title,
            "department": proposal.department.name,
            "jurisdiction": jurisdiction.name if jurisdiction else "",
            "translations": languages.proposal_texts(proposal),
        },
        "translations": languages.with_html(languages.written_in(report, ["intro"]), "intro"),
        "labels": languages.summary_labels(proposal),
        "published_at": (published_at or timezone.now()).isoformat(),
        "summary_generated_at": (
            report.summary_run.finished_at.isoformat() if report.summary_run.finished_at else None
        ),
        "intro": report.intro,
        "intro_html": render_markdown(report.intro),
        "entries": entries,
        "summary": public_summary(result),
    }


def public_summary(result: dict) -> dict:
    """The summary as the public may read it: of the organisations that
    answered the form, only those that chose to be named are listed; the
    others are counted (`organisations_unnamed`)."""
    form = result.get("form")
    if not form or not form.get("organisations"):
        return result
    named = [row for row in form["organisations"] if row.get("publication") == "named"]
    unnamed = len(form["organisations"]) - len(named) + (form.get("organisations_unnamed") or 0)
    return {**result, "form": {**form, "organisations": named, "organisations_unnamed": unnamed}}


def _entry_shown(
    entry: ReportEntry, themes: dict, sections: dict, questions: dict, *, diff: list
) -> dict:
    """One entry of the snapshot, with the figures of its theme, section or question."""
    figures = {"comments": 0, "comments_unique": 0}
    comment_ids: list[int] = []
    if entry.kind == EntryKind.THEME and entry.key in themes:
        row = themes[entry.key]
        figures = {"comments": row["comments"], "comments_unique": row["comments_unique"]}
        figures.update(dict.fromkeys(("support", "oppose", "neutral")))
        comment_ids = row["comment_ids"]
    elif entry.kind == EntryKind.SECTION and entry.key in sections:
        row = sections[entry.key]
        figures = {
            key: row[key] for key in ("comments", "comments_unique", "support", "oppose", "neutral")
        }
    elif entry.kind == EntryKind.QUESTION:
        figures = questions.get(entry.key) or {"answered": 0, "skipped": 0}
    return {
        "kind": entry.kind,
        "key": entry.key,
        "title": entry.title,
        "you_said": entry.you_said,
        "you_said_html": render_markdown(entry.you_said),
        "we_did": entry.we_did,
        "we_did_html": render_markdown(entry.we_did),
        "status": entry.status,
        "figures": figures,
        "comment_ids": comment_ids,
        "version": (
            {
                "number": entry.version.number,
                "change_note": entry.version.change_note,
                "translations": languages.written_in(entry.version, ["change_note"]),
            }
            if entry.version_id
            else None
        ),
        "translations": languages.with_html(
            languages.written_in(entry, ["title", "you_said", "we_did"]), "you_said", "we_did"
        ),
        "diff": diff,
    }


def unpublic_comments(snapshot: dict, *, proposal: Proposal | int) -> set[int]:
    """The comments the snapshot quotes that are no longer public (hidden,
    deleted or held since the summary): one query."""
    referenced = [int(pk) for pk in snapshot["summary"].get("comments", {})]
    if not referenced:
        return set()
    shown = public.comments(proposal).filter(pk__in=referenced)
    return set(referenced) - set(shown.values_list("pk", flat=True))


def _without_quote(texts: dict, quote: str) -> None:
    if quote in texts.get("you_said", ""):
        texts["you_said"] = "\n\n".join(
            part for part in texts["you_said"].split("\n\n") if part.strip() != quote
        )
        texts["you_said_html"] = render_markdown(texts["you_said"])


def withhold(snapshot: dict, gone: set[int]) -> None:
    """Take out the words of those comments: their excerpts, and the quotes
    of them that drafting put in "you said", in every language."""
    for pk in gone:
        quote = f"> {snapshot['summary']['comments'].pop(str(pk))['excerpt']}"
        for entry in snapshot.get("entries", []):
            _without_quote(entry, quote)
            for texts in (entry.get("translations") or {}).values():
                if isinstance(texts, dict):
                    _without_quote(texts, quote)


def snapshot_shown(report: ResponseReport) -> dict:
    """The frozen snapshot as it may be shown today, on the page and through
    the API: the words of a comment hidden or deleted since publication are
    withheld (the figures stay)."""
    gone = unpublic_comments(report.snapshot, proposal=report.proposal_id)
    if not gone:
        return report.snapshot
    snapshot = copy.deepcopy(report.snapshot)
    withhold(snapshot, gone)
    return snapshot


def canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
