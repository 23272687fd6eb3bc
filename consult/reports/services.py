"""Every write of the summary and the report: start a run, compute it in the
background, draft the report from it, edit the draft, publish it once."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import render_markdown
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from consult.opendata import public
from consult.reports import rules
from consult.reports.models import (
    ACTIVE_STATES,
    ENTRY_TEXT_MAX_LENGTH,
    INTRO_MAX_LENGTH,
    EntryKind,
    ReportEntry,
    ReportState,
    ResponseReport,
    RunState,
    SummaryRun,
)
from consult.reports.stages import within
from discussion.models import Comment, CommentVote, OfficialResponse, ResponseStatus
from discussion.moderation import curation
from proposals import diff
from proposals.models import (
    Follow,
    Proposal,
    ProposalStance,
    ProposalVersion,
    SectionStance,
    SectionVersion,
    Status,
)
from proposals.services import lifecycle

logger = logging.getLogger(__name__)

# A run that has not finished after this long died with its worker.
STALE_AFTER = timedelta(minutes=30)
# Progress is stored and sent when it moves by at least this many points.
PROGRESS_STEP = 2

NOT_ALLOWED = _("Only officials of this consultation's department can do this.")
NOT_PUBLIC = _("A summary can only be made of a consultation that has opened.")
NO_SUMMARY = _("Compute the summary first: the report is drafted from it.")
ALREADY_PUBLISHED = _("The report has already been published and can no longer be changed.")
STILL_OPEN = _(
    "The consultation is still open until %(closes)s. Publish the report after it closes."
)
NOT_CLOSED = _("Only the report of a closed consultation can be published (it is %(status)s).")
SUMMARY_BEFORE_CLOSE = _(
    "The draft's summary was computed before the consultation closed. Compute the summary "
    "again and update the draft with it, so that the report counts everything."
)
SUMMARY_NEWER = _(
    "A newer summary has been computed since this draft was made. Update the draft with it "
    "first, then publish."
)
STALE_DRAFT = _(
    "Someone else saved this report while you were editing it. Your text is below; "
    "check their changes and save again."
)
TOO_LONG = _("At most %(limit)d characters.")
BAD_STATUS = _("Choose accepted, partly accepted, not accepted, noted, or none.")
BAD_VERSION = _("Choose one of this consultation's versions.")


def progress_group(proposal_id: int) -> str:
    return f"summary.{proposal_id}"


def _send(proposal_id: int, message: dict) -> None:
    """Tell the open summary pages; never raises (the page also polls the row)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            progress_group(proposal_id), {"type": "summary.progress", **message}
        )
    except Exception:
        logger.exception("summary progress for proposal %s not sent", proposal_id)


def run_message(run: SummaryRun) -> dict:
    return {
        "run": run.pk,
        "state": run.state,
        "stage": run.stage,
        "progress": run.progress,
        "error": run.error,
    }


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("department").get(pk=proposal.pk)


# --- the summary ---------------------------------------------------------------


def expire_stale(proposal: Proposal) -> int:
    """Runs whose worker died: queued, or started, more than STALE_AFTER ago."""
    cutoff = timezone.now() - STALE_AFTER
    return SummaryRun.objects.filter(
        Q(state=RunState.QUEUED, created_at__lt=cutoff)
        | Q(state=RunState.RUNNING, started_at__lt=cutoff),
        proposal=proposal,
    ).update(state=RunState.FAILED, finished_at=timezone.now(), error="stale")


def summary_start(*, actor: User, proposal: Proposal) -> SummaryRun:
    """Queue a run, or return the one already under way."""
    from consult.reports.tasks import summarise

    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        if not rules.can_run_summary(actor, proposal):
            raise PermissionDenied(NOT_ALLOWED)
        if proposal.effective_status() not in (
            Status.OPEN,
            Status.CLOSED,
            Status.REPORT_PUBLISHED,
        ):
            raise ValidationError(NOT_PUBLIC)
        expire_stale(proposal)
        running = SummaryRun.objects.filter(proposal=proposal, state__in=ACTIVE_STATES).first()
        if running is not None:
            return running
        try:
            with transaction.atomic():
                run = SummaryRun.objects.create(proposal=proposal, requested_by=actor)
        except IntegrityError:
            return SummaryRun.objects.get(proposal=proposal, state__in=ACTIVE_STATES)
        audit_record(
            actor=actor,
            action="summary.start",
            target=run,
            department=proposal.department,
            scope=f"proposal:{proposal.pk}",
        )
        transaction.on_commit(lambda: summarise.enqueue(run_id=run.pk))
    return run


class _Reporter:
    """Stores and sends progress when it has moved enough to be seen."""

    def __init__(self, run: SummaryRun) -> None:
        self.run = run

    def __call__(self, stage: str, percent: int) -> None:
        percent = max(self.run.progress, min(int(percent), 99))
        if stage == self.run.stage and percent - self.run.progress < PROGRESS_STEP:
            return
        self.run.stage, self.run.progress = stage, percent
        SummaryRun.objects.filter(pk=self.run.pk).update(stage=stage, progress=percent)
        _send(self.run.proposal_id, run_message(self.run))


def summary_compute(*, run_id: int) -> SummaryRun | None:
    """The task's body: compute one queued run. A run already taken is left alone."""
    now = timezone.now()
    if not SummaryRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now, stage="prepare", progress=1
    ):
        return None
    run = SummaryRun.objects.select_related("proposal", "proposal__department").get(pk=run_id)
    report = _Reporter(run)
    _send(run.proposal_id, run_message(run))
    proposal = run.proposal
    try:
        # Here, not at the top: NumPy, scikit-learn and jieba load in the worker
        # only, as the run's first step (a second or two, told as such).
        from consult.reports import loader
        from consult.reports import summary as summary_module

        summary_module.prepare()
        within(report, "prepare")(1.0)
        inputs = loader.load(proposal, progress=within(report, "load"))
        result = summary_module.compute(
            inputs,
            proposal=_proposal_header(proposal),
            zone=ZoneInfo(settings.TIME_ZONE),
            progress=report,
        )
        within(report, "finish")(0.0)
        # Stored as JSON once, so that what is read back is what was written.
        result = json.loads(json.dumps(result, sort_keys=True))
    except Exception:
        logger.exception("summary run %s of proposal %s failed", run.pk, proposal.pk)
        run.state, run.finished_at, run.error = RunState.FAILED, timezone.now(), "failed"
        SummaryRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=run.state, finished_at=run.finished_at, error=run.error
        )
        _send(run.proposal_id, run_message(run))
        return run
    finished = timezone.now()
    # Only a run still ours: one given up as stale meanwhile stays failed.
    if not SummaryRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.DONE,
        progress=100,
        stage="finish",
        finished_at=finished,
        result=result,
        fingerprint=result["inputs"]["fingerprint"],
    ):
        run.refresh_from_db()
        return run
    run.state, run.progress, run.stage, run.finished_at = RunState.DONE, 100, "finish", finished
    run.result, run.fingerprint = result, result["inputs"]["fingerprint"]
    _send(run.proposal_id, run_message(run))
    return run


def _proposal_header(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "slug": proposal.slug,
        "title": proposal.title,
        "department": proposal.department.name,
        "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
        "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
    }


def latest_run(proposal: Proposal) -> SummaryRun | None:
    return SummaryRun.objects.filter(proposal=proposal, state=RunState.DONE).first()


SUGGESTION_GONE = _("That suggestion is no longer in the summary; reload the page.")
NOT_MODERATOR = _("Only moderators can tag comments with themes.")


def theme_adopt(
    *, actor: User, proposal: Proposal, run_id: int | None, index: int | None, name: str
) -> tuple[str, int, int]:
    """A moderator adopts a suggested theme of the latest summary as a tag on
    the comments behind it, each through curation (its limits, its audit).
    Returns the cleaned name, how many comments took it and how many could not."""
    if not rules.can_adopt_themes(actor, proposal):
        raise PermissionDenied(NOT_MODERATOR)
    done = latest_run(proposal)
    suggested = done.result["themes"]["suggested"] if done and done.pk == run_id else []
    if index is None or not 0 <= index < len(suggested):
        raise ValidationError(SUGGESTION_GONE)
    name = curation.clean_theme(name)
    tagged, refused = 0, 0
    ids = suggested[index]["comment_ids"]
    for comment in Comment.objects.filter(proposal=proposal, pk__in=ids).order_by("pk"):
        try:
            curation.comment_theme_add(actor=actor, comment=comment, name=name)
            tagged += 1
        except (ValidationError, PermissionDenied):
            refused += 1
    return name, tagged, refused


# --- drafting the report -------------------------------------------------------


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


@dataclass
class _Versions:
    """The versions since the consultation opened, read once: the one people
    commented on, the latest, and the sections whose text changed between them."""

    baseline: ProposalVersion | None
    latest: ProposalVersion | None
    changed_sections: set[int]

    @classmethod
    def of(cls, proposal: Proposal) -> _Versions:
        versions = list(proposal.versions.order_by("number"))
        if not versions:
            return cls(None, None, set())
        opened = proposal.opens_at
        before = [v for v in versions if opened is None or v.published_at <= opened]
        baseline, latest = (before[-1] if before else versions[0]), versions[-1]
        if latest.pk == baseline.pk:
            return cls(baseline, latest, set())
        texts: dict[int, dict[int, str]] = {baseline.pk: {}, latest.pk: {}}
        for version_id, section_id, body in SectionVersion.objects.filter(
            version__in=[baseline, latest]
        ).values_list("version_id", "section_id", "body"):
            texts[version_id][section_id] = body
        old, new = texts[baseline.pk], texts[latest.pk]
        changed = {pk for pk in old.keys() | new.keys() if old.get(pk) != new.get(pk)}
        return cls(baseline, latest, changed)

    def for_section(self, section_id: int) -> ProposalVersion | None:
        """The latest version, when it changed the section since opening."""
        return self.latest if section_id in self.changed_sections else None


@transaction.atomic
def report_draft(*, actor: User, proposal: Proposal) -> ResponseReport:
    """Draft the report from the latest summary, or bring a draft up to date
    with it: new themes and sections are added, words already written stay."""
    proposal = _lock_proposal(proposal)
    if not rules.can_run_summary(actor, proposal):
        raise PermissionDenied(NOT_ALLOWED)
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
    result = run.result
    existing = {(entry.kind, entry.key): entry for entry in report.entries.all()}
    responses = list(
        OfficialResponse.objects.filter(proposal=proposal)
        .filter(Q(section__isnull=False) | Q(theme__isnull=False))
        .select_related("theme", "changed_version")
        .order_by("created_at", "pk")
    )
    versions = _Versions.of(proposal)
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
            order=order,
            you_said=_section_said(section),
            answers=_responses_said(mine),
            version=_named_version(mine) or versions.for_section(section["id"]),
        )
    # What the new summary no longer has goes, unless an official wrote an answer to it.
    current = {("theme", t["slug"]) for t in result["themes"]["tagged"]} | {
        ("section", str(row["id"])) for row in result["stances"]["sections"]
    }
    for key, entry in existing.items():
        if key not in current and not entry.we_did.strip():
            entry.delete()
    audit_record(
        actor=actor,
        action="report.draft" if created else "report.refresh",
        target=report,
        department=proposal.department,
        after={"summary_run": run.pk},
        scope=f"proposal:{proposal.pk}",
    )
    return report


def _entry(report, existing, *, kind, key, title, order, you_said, answers, version) -> None:
    we_did, status = answers
    entry = existing.get((kind, key))
    if entry is None:
        ReportEntry.objects.create(
            report=report,
            kind=kind,
            key=key,
            title=title[:200],
            order=order,
            you_said=you_said,
            we_did=we_did,
            status=status,
            version=version,
        )
    else:
        entry.title, entry.order = title[:200], order
        entry.save(update_fields=["title", "order"])


def _clean(value: str, limit: int, field: str, errors: dict) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if len(value) > limit:
        errors[field] = ValidationError(TOO_LONG, params={"limit": limit})
    return value


@transaction.atomic
def report_save(
    *, actor: User, report: ResponseReport, revision: int, intro: str, entries: dict[int, dict]
) -> ResponseReport:
    """Save the draft's words. `entries` maps an entry's id to its you_said,
    we_did, status and version (a version number or None)."""
    report = ResponseReport.objects.select_for_update().select_related("proposal").get(pk=report.pk)
    proposal = report.proposal
    if not rules.can_run_summary(actor, proposal):
        raise PermissionDenied(NOT_ALLOWED)
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


# --- the snapshot and publishing ------------------------------------------------


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
    opened = _Versions.of(proposal).baseline
    baseline = list(opened.section_versions.order_by("order")) if opened else []
    compared: dict[int, list] = {}
    entries = []
    for entry in report.entries.select_related("version").order_by("order", "pk"):
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
                key: row[key]
                for key in ("comments", "comments_unique", "support", "oppose", "neutral")
            }
        entries.append(
            {
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
                    {"number": entry.version.number, "change_note": entry.version.change_note}
                    if entry.version_id
                    else None
                ),
                "diff": _diff_rows(entry, baseline, compared),
            }
        )
    jurisdiction = getattr(proposal.department, "jurisdiction", None)
    return {
        "schema": 1,
        "proposal": {
            "id": proposal.pk,
            "slug": proposal.slug,
            "title": proposal.title,
            "department": proposal.department.name,
            "jurisdiction": jurisdiction.name if jurisdiction else "",
        },
        "published_at": (published_at or timezone.now()).isoformat(),
        "summary_generated_at": (
            report.summary_run.finished_at.isoformat() if report.summary_run.finished_at else None
        ),
        "intro": report.intro,
        "intro_html": render_markdown(report.intro),
        "entries": entries,
        "summary": result,
    }


def unpublic_comments(snapshot: dict, *, proposal: Proposal | int) -> set[int]:
    """The comments the snapshot quotes that are no longer public (hidden,
    deleted or held since the summary): one query."""
    referenced = [int(pk) for pk in snapshot["summary"].get("comments", {})]
    if not referenced:
        return set()
    shown = public.comments(proposal).filter(pk__in=referenced)
    return set(referenced) - set(shown.values_list("pk", flat=True))


def withhold(snapshot: dict, gone: set[int]) -> None:
    """Take out the words of those comments: their excerpts, and the quotes
    of them that drafting put in "you said"."""
    for pk in gone:
        quote = f"> {snapshot['summary']['comments'].pop(str(pk))['excerpt']}"
        for entry in snapshot.get("entries", []):
            if quote in entry.get("you_said", ""):
                entry["you_said"] = "\n\n".join(
                    part for part in entry["you_said"].split("\n\n") if part.strip() != quote
                )
                entry["you_said_html"] = render_markdown(entry["you_said"])


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


def report_publish(*, actor: User, report: ResponseReport) -> ResponseReport:
    with transaction.atomic():
        # The proposal first, then the report: the order report_draft locks them in.
        proposal = _lock_proposal(report.proposal)
        report = (
            ResponseReport.objects.select_for_update()
            .select_related("summary_run")
            .get(pk=report.pk)
        )
        report.proposal = proposal
        if not rules.can_run_summary(actor, proposal):
            raise PermissionDenied(NOT_ALLOWED)
        if report.is_published:
            raise ValidationError(ALREADY_PUBLISHED)
        status = proposal.effective_status()
        if status == Status.OPEN:
            raise ValidationError(
                STILL_OPEN,
                params={"closes": formats.date_format(proposal.closes_at, "DATETIME_FORMAT")},
            )
        if status != Status.CLOSED:
            raise ValidationError(NOT_CLOSED, params={"status": Status(status).label.lower()})
        run = report.summary_run
        if proposal.closes_at and run.finished_at and run.finished_at < proposal.closes_at:
            raise ValidationError(SUMMARY_BEFORE_CLOSE)
        newest = latest_run(proposal)
        if newest is not None and newest.pk != run.pk:
            raise ValidationError(SUMMARY_NEWER)
        now = timezone.now()
        snapshot = json.loads(canonical(snapshot_build(report, published_at=now)))
        withhold(snapshot, unpublic_comments(snapshot, proposal=proposal))
        report.snapshot = snapshot
        report.snapshot_sha256 = hashlib.sha256(canonical(snapshot)).hexdigest()
        report.state, report.published_at, report.published_by = ReportState.PUBLISHED, now, actor
        report.save(
            update_fields=["snapshot", "snapshot_sha256", "state", "published_at", "published_by"]
        )
        lifecycle.proposal_report_published(actor=actor, proposal=proposal)
        audit_record(
            actor=actor,
            action="report.publish",
            target=report,
            department=proposal.department,
            after={"sha256": report.snapshot_sha256, "summary_run": report.summary_run_id},
            scope=f"proposal:{proposal.pk}",
        )
        _notify_published(actor=actor, proposal=proposal)
    return report


def _notify_published(*, actor: User, proposal: Proposal) -> int:
    """Followers and everyone who took part: one notification each, in bulk."""
    people = set(Follow.objects.filter(proposal=proposal).values_list("user_id", flat=True))
    people.update(Comment.objects.filter(proposal=proposal).values_list("author_id", flat=True))
    people.update(
        CommentVote.objects.filter(comment__proposal=proposal).values_list("user_id", flat=True)
    )
    people.update(
        ProposalStance.objects.filter(proposal=proposal).values_list("user_id", flat=True)
    )
    people.update(SectionStance.objects.filter(proposal=proposal).values_list("user_id", flat=True))
    url = reverse("reports:public", args=[proposal.slug])
    return notifications.notify_many(
        recipients=dict.fromkeys(people, url),
        kind=NotificationKind.REPORT,
        key=f"report:{proposal.pk}",
        subject=proposal.title,
        actor=actor,
        excerpt=gettext("The official response report has been published."),
    )
