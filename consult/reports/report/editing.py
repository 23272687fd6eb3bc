"""Editing the draft's words: the introduction and each entry's answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, clean_text
from consult.reports import rules
from consult.reports.models import ENTRY_TEXT_MAX_LENGTH, INTRO_MAX_LENGTH, ResponseReport
from consult.reports.report.drafting import ALREADY_PUBLISHED
from discussion.models import ResponseStatus

STALE_DRAFT = _(
    "Someone else saved this report while you were editing it. Your text is below; "
    "check their changes and save again."
)
TOO_LONG = _("At most %(limit)d characters.")
BAD_STATUS = _("Choose accepted, partly accepted, not accepted, noted, or none.")
BAD_VERSION = _("Choose one of this consultation's versions.")


def _clean(value: str, limit: int, field: str, errors: dict) -> str:
    """The text cleaned; when it is too long, the field's error is kept in `errors`."""
    try:
        return clean_text(value, TextRule(field, limit, TOO_LONG))
    except ValidationError as error:
        errors.update(error.error_dict)
        return value or ""


@transaction.atomic
def report_save(
    *, actor: User, report: ResponseReport, revision: int, intro: str, entries: dict[int, dict]
) -> ResponseReport:
    """Save the draft's words. `entries` maps an entry's id to its you_said,
    we_did, status and version (a version number or None)."""
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
    changes = []
    for pk, fields in entries.items():
        entry = rows.get(pk)
        if entry is None:
            continue
        prefix = f"entry-{pk}"
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
        changes.append(entry)
    if errors:
        raise ValidationError(errors)
    for entry in changes:
        entry.save(update_fields=["you_said", "we_did", "status", "version"])
    report.intro = intro
    report.revision += 1
    report.updated_at = timezone.now()
    report.save(update_fields=["intro", "revision", "updated_at"])
    audit_record(
        actor=actor,
        action="report.save",
        target=report,
        department=proposal.department,
        scope=f"proposal:{proposal.pk}",
    )
    return report
