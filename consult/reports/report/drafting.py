"""Drafting the report from the latest summary: one entry per tagged theme and
per section, with what people said and the official responses so far."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.translations import set_translation
from consult.reports import rules
from consult.reports.models import ENTRY_TEXT_MAX_LENGTH, EntryKind, ReportEntry, ResponseReport
from consult.reports.report.questions import question_rows, question_said
from consult.reports.report.versions import Versions
from consult.reports.summary.selectors import latest_run
from consult.reports.summary.services import lock_proposal
from discussion.models import OfficialResponse
from proposals.models import Proposal, ProposalVersion

NO_SUMMARY = _("Compute the summary first: the report is drafted from it.")
ALREADY_PUBLISHED = _("The report has already been published and can no longer be changed.")


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _section_said(row: dict) -> str:
    parts = [
        ngettext(
            "%(count)d comment (%(unique)d unique).",
            "%(count)d comments (%(unique)d unique).",
            row["comments"],
        )
        % {"count": row["comments"], "unique": row["comments_unique"]}
    ]
    if row["total"]:
        parts.append(
            gettext(
                "Of %(total)d people who took a stance: %(support)s support, "
                "%(oppose)s oppose, %(neutral)s neutral."
            )
            % {
                "total": row["total"],
                "support": _percent(row["shares"]["support"]),
                "oppose": _percent(row["shares"]["oppose"]),
                "neutral": _percent(row["shares"]["neutral"]),
            }
        )
    return " ".join(parts)


def _theme_said(row: dict, comments: dict) -> str:
    lines = [
        ngettext(
            "%(count)d comment (%(unique)d unique) on this theme.",
            "%(count)d comments (%(unique)d unique) on this theme.",
            row["comments"],
        )
        % {"count": row["comments"], "unique": row["comments_unique"]}
    ]
    for comment in row["representative"][:2]:
        found = comments.get(str(comment))
        if found:
            lines.append(f"> {found['excerpt']}")
    return "\n\n".join(lines)


def _responses_said(responses: list[OfficialResponse]) -> tuple[str, str]:
    """The explanations of earlier responses, and the latest status."""
    if not responses:
        return "", ""
    text = "\n\n".join(response.explanation for response in responses)
    return text[:ENTRY_TEXT_MAX_LENGTH], responses[-1].status


def _named_version(responses: list[OfficialResponse]) -> ProposalVersion | None:
    """The latest version that a response says changed because of it."""
    named = [r.changed_version for r in responses if r.changed_version_id]
    return max(named, key=lambda version: version.number) if named else None


@transaction.atomic
def report_draft(*, actor: User, proposal: Proposal) -> ResponseReport:
    """Draft the report from the latest summary, or bring a draft up to date
    with it: new themes and sections are added, words already written stay."""
    proposal = lock_proposal(proposal)
    if not rules.can_run_summary(actor, proposal):
        raise PermissionDenied(rules.NOT_ALLOWED)
    run = latest_run(proposal)
    if run is None:
        raise ValidationError(NO_SUMMARY)
    report = ResponseReport.objects.select_for_update().filter(proposal=proposal).first()
    if report is not None and report.is_published:
        raise ValidationError(ALREADY_PUBLISHED)
    created = report is None
    if created:
        report = ResponseReport.objects.create(proposal=proposal, summary_run=run, created_by=actor)
    else:
        report.summary_run = run
        report.revision += 1
        report.updated_at = timezone.now()
        report.save(update_fields=["summary_run", "revision", "updated_at"])
    _draft_entries(report, proposal, run.result)
    audit_record(
        actor=actor,
        action="report.draft" if created else "report.refresh",
        target=report,
        department=proposal.department,
        after={"summary_run": run.pk},
        scope=f"proposal:{proposal.pk}",
    )
    return report


def _draft_entries(report: ResponseReport, proposal: Proposal, result: dict) -> None:
    """One entry per tagged theme, then per section, then per question of the
    response form, in that order; what the new summary no longer has goes,
    unless an official wrote an answer to it."""
    report.proposal = proposal
    existing = {(entry.kind, entry.key): entry for entry in report.entries.all()}
    responses = list(
        OfficialResponse.objects.filter(proposal=proposal)
        .filter(Q(section__isnull=False) | Q(theme__isnull=False))
        .select_related("theme", "changed_version")
        .order_by("created_at", "pk")
    )
    versions = Versions.of(proposal)
    headings = _titles_in(proposal.sections.all(), "heading")
    order = 0
    for theme in result["themes"]["tagged"]:
        order += 1
        mine = [r for r in responses if r.theme_id and r.theme.slug == theme["slug"]]
        _entry(
            report,
            existing,
            kind=EntryKind.THEME,
            key=theme["slug"],
            title=theme["name"],
            order=order,
            you_said=_theme_said(theme, result["comments"]),
            answers=_responses_said(mine),
            version=_named_version(mine),
        )
    for section in result["stances"]["sections"]:
        order += 1
        mine = [r for r in responses if r.section_id == section["id"]]
        _entry(
            report,
            existing,
            kind=EntryKind.SECTION,
            key=str(section["id"]),
            title=section["heading"],
            titles_in=headings.get(section["id"]),
            order=order,
            you_said=_section_said(section),
            answers=_responses_said(mine),
            version=_named_version(mine) or versions.for_section(section["id"]),
        )
    _draft_questions(
        report, existing, result, order, _titles_in(proposal.form_questions.all(), "prompt")
    )
    current = (
        {("theme", t["slug"]) for t in result["themes"]["tagged"]}
        | {("section", str(row["id"])) for row in result["stances"]["sections"]}
        | {("question", str(q["id"])) for q in question_rows(result)}
    )
    for key, entry in existing.items():
        if key not in current and not entry.we_did.strip():
            entry.delete()


def _titles_in(rows, field: str) -> dict[int, dict[str, str]]:
    """Each row's text in the consultation's other languages, by id (read
    through the proposal's manager: no query for its language)."""
    return {
        row.pk: {
            code: texts[field]
            for code, texts in (row.translations or {}).items()
            if isinstance(texts, dict)
            and isinstance(texts.get(field), str)
            and texts[field]
            and code != row.language
        }
        for row in rows
    }


def _draft_questions(
    report: ResponseReport, existing: dict, result: dict, order: int, prompts: dict
) -> None:
    """An entry per question of the response form: "we did" is the officials' to write."""
    for question in question_rows(result):
        order += 1
        _entry(
            report,
            existing,
            kind=EntryKind.QUESTION,
            key=str(question["id"]),
            title=question.get("prompt") or "",
            titles_in=prompts.get(question.get("id")),
            order=order,
            you_said=question_said(question),
            answers=("", ""),
            version=None,
        )


def _entry(
    report, existing, *, kind, key, title, order, you_said, answers, version, titles_in=None
) -> None:
    """Create or update one entry; its title follows the section's heading or
    the question's prompt, in each language they are written in."""
    we_did, status = answers
    entry = existing.get((kind, key))
    if entry is None:
        entry = ReportEntry(
            report=report,
            kind=kind,
            key=key,
            order=order,
            you_said=you_said,
            we_did=we_did,
            status=status,
            version=version,
        )
    entry.title, entry.order = title[:200], order
    for code, text in (titles_in or {}).items():
        set_translation(entry, code, title=text[:200])
    if entry.pk is None:
        entry.save()
    else:
        entry.save(update_fields=["title", "order", "translations"])
