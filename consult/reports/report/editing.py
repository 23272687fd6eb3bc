"""Editing the draft's words: the introduction and each entry's answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, clean_text
from consult.infra.translations import languages, set_translation
from consult.reports import rules
from consult.reports.models import (
    ENTRY_TEXT_MAX_LENGTH,
    INTRO_MAX_LENGTH,
    ReportEntry,
    ResponseReport,
)
from consult.reports.report.drafting import ALREADY_PUBLISHED
from discussion.models import ResponseStatus

STALE_DRAFT = _(
    "Someone else saved this report while you were editing it. Your text is below; "
    "check their changes and save again."
)
TOO_LONG = _("At most %(limit)d characters.")
BAD_STATUS = _("Choose accepted, partly accepted, not accepted, noted, or none.")
BAD_VERSION = _("Choose one of this consultation's versions.")
# An entry's title, as its column holds it.
TITLE_MAX_LENGTH = 200


def _clean(value: str, limit: int, field: str, errors: dict) -> str:
    """The text cleaned; when it is too long, the field's error is kept in `errors`."""
    try:
        return clean_text(value, TextRule(field, limit, TOO_LONG))
    except ValidationError as error:
        errors.update(error.error_dict)
        return value or ""


LIMITS_IN = {
    "title": TITLE_MAX_LENGTH,
    "you_said": ENTRY_TEXT_MAX_LENGTH,
    "we_did": ENTRY_TEXT_MAX_LENGTH,
}


def _texts_in(
    report: ResponseReport, rows: dict[int, ReportEntry], texts_in: dict[str, dict], errors: dict
) -> set[int]:
    """The words in the consultation's other languages, cleaned under the
    same limits, written on the report and its entries (not saved); the ids
    of the entries written on."""
    touched = set()
    for code, texts in texts_in.items():
        if code not in languages() or code == report.language:
            continue
        if "intro" in texts:
            intro = _clean(texts["intro"], INTRO_MAX_LENGTH, f"intro-{code}", errors)
            set_translation(report, code, intro=intro)
        for pk, fields in (texts.get("entries") or {}).items():
            entry = rows.get(pk)
            if entry is None:
                continue
            cleaned = {
                field: _clean(fields[field], limit, f"entry-{pk}-{field}-{code}", errors)
                for field, limit in LIMITS_IN.items()
                if field in fields
            }
            if "title" in cleaned:
                cleaned["title"] = " ".join(cleaned["title"].split())
            set_translation(entry, code, **cleaned)
            touched.add(pk)
    return touched


def _entry_written(entry: ReportEntry, fields: dict, versions: dict, errors: dict) -> ReportEntry:
    """The entry with its words, outcome and version as typed (not saved);
    what is wrong is kept in `errors`."""
    prefix = f"entry-{entry.pk}"
    entry.you_said = _clean(
        fields.get("you_said", ""), ENTRY_TEXT_MAX_LENGTH, f"{prefix}-you_said", errors
    )
    entry.we_did = _clean(
        fields.get("we_did", ""), ENTRY_TEXT_MAX_LENGTH, f"{prefix}-we_did", errors
    )
    status = fields.get("status") or ""
    if status and status not in ResponseStatus.values:
        errors[f"{prefix}-status"] = ValidationError(BAD_STATUS)
    entry.status = status
    number = fields.get("version")
    if number in (None, ""):
        entry.version_id = None
    elif number in versions:
        entry.version_id = versions[number]
    else:
        errors[f"{prefix}-version"] = ValidationError(BAD_VERSION)
    return entry


@transaction.atomic
def report_save(
    *,
    actor: User,
    report: ResponseReport,
    revision: int,
    intro: str,
    entries: dict[int, dict],
    texts_in: dict[str, dict] | None = None,
) -> ResponseReport:
    """Save the draft's words. `entries` maps an entry's id to its you_said,
    we_did, status and version (a version number or None); `texts_in` maps
    another language to its "intro" and its "entries" (id to title, you_said
    and we_did): a blank text removes that translation."""
    report = ResponseReport.objects.select_for_update().select_related("proposal").get(pk=report.pk)
    proposal = report.proposal
    if not rules.can_run_summary(actor, proposal):
        raise PermissionDenied(rules.NOT_ALLOWED)
    if report.is_published:
        raise ValidationError(ALREADY_PUBLISHED)
    if revision != report.revision:
        raise ValidationError(STALE_DRAFT)
    errors: dict[str, ValidationError] = {}
    intro = _clean(intro, INTRO_MAX_LENGTH, "intro", errors)
    versions = dict(proposal.versions.values_list("number", "pk"))
    rows = {entry.pk: entry for entry in report.entries.all()}
    changes = [
        _entry_written(rows[pk], fields, versions, errors)
        for pk, fields in entries.items()
        if pk in rows
    ]
    touched = _texts_in(report, rows, texts_in or {}, errors)
    if errors:
        raise ValidationError(errors)
    for entry in changes:
        entry.save(update_fields=["you_said", "we_did", "status", "version", "translations"])
    for pk in touched - {entry.pk for entry in changes}:
        rows[pk].save(update_fields=["translations"])
    report.intro = intro
    report.revision += 1
    report.updated_at = timezone.now()
    report.save(update_fields=["intro", "revision", "updated_at", "translations"])
    audit_record(
        actor=actor,
        action="report.save",
        target=report,
        department=proposal.department,
        scope=f"proposal:{proposal.pk}",
    )
    return report
