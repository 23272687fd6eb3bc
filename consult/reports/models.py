"""The summary runs of a consultation and its official response report.

A summary run is computed in the background from bulk reads and stored with
the fingerprint of the inputs it came from. The report is drafted from one
run, entry by entry ("you said / we did"), and published once: publishing
freezes a snapshot that nothing changes afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, ProposalVersion

ENTRY_TEXT_MAX_LENGTH = 10_000
INTRO_MAX_LENGTH = 20_000


class RunState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)


class SummaryRun(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="summary_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    # The step being computed (a code from consult.reports.summary.stages.STAGES) and
    # how far the whole run has got, in per cent.
    stage = models.CharField(max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What went wrong, in words an official can act on (never a traceback).
    error = models.CharField(max_length=500, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One run at a time per consultation.
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_summary_run",
            )
        ]

    def __str__(self) -> str:
        return f"summary {self.pk} of {self.proposal_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishedReportError(TypeError):
    """A published report and its entries are immutable."""


class ResponseReport(models.Model):
    """The official response report of one consultation."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="report")
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    summary_run = models.ForeignKey(SummaryRun, on_delete=models.PROTECT, related_name="+")
    intro = models.TextField(_("introduction"), max_length=INTRO_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped on every save of the draft, so that two officials editing at
    # once cannot silently overwrite each other.
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    # The introduction in the consultation's other languages
    # (consult.infra.translations); its own column is in the consultation's.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(snapshot__isnull=False, published_at__isnull=False),
                name="published_report_has_snapshot",
            )
        ]

    def __str__(self) -> str:
        return f"report of {self.proposal_id} ({self.state})"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and ResponseReport.objects.filter(pk=self.pk, state=ReportState.PUBLISHED).exists()
        ):
            raise PublishedReportError("A published report is immutable.")
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.PUBLISHED

    @property
    def language(self) -> str:
        """The report is written in its consultation's language (read the
        proposal with the report)."""
        return self.proposal.language


class EntryKind(models.TextChoices):
    THEME = "theme", _("Theme")
    SECTION = "section", _("Section")
    QUESTION = "question", _("Question of the response form")


class ReportEntry(models.Model):
    """One "you said / we did" pair: for a theme, a section, or a question of
    the response form."""

    report = models.ForeignKey(ResponseReport, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    # The theme's slug, the section's id or the question's id, as the summary
    # names them.
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(default=0)
    you_said = models.TextField(_("you said"), max_length=ENTRY_TEXT_MAX_LENGTH, blank=True)
    we_did = models.TextField(_("we did"), max_length=ENTRY_TEXT_MAX_LENGTH, blank=True)
    # The response status that sums the entry up, or blank.
    status = models.CharField(_("status"), max_length=20, blank=True)
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The title, "you said" and "we did" in the consultation's other languages.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "key"], name="report_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    def save(self, *args, **kwargs):
        if ResponseReport.objects.filter(pk=self.report_id, state=ReportState.PUBLISHED).exists():
            raise PublishedReportError("A published report is immutable.")
        super().save(*args, **kwargs)

    @property
    def language(self) -> str:
        # Read through the report's entries, the report is the one already read.
        return self.report.language
