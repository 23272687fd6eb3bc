"""The bulk downloads and the state of their builds."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal


class Scope(models.TextChoices):
    SITE = "site", _("Every consultation")
    CONSULTATION = "consultation", _("One consultation")


class BuildState(models.TextChoices):
    NEW = "new", _("Not prepared yet")
    QUEUED = "queued", _("Waiting to be prepared")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


ACTIVE_STATES = (BuildState.QUEUED, BuildState.BUILDING)


class DataFile(models.Model):
    """The ZIP of one consultation's open data, or of the whole site's: the
    last good file, served to every download, and its latest build (which
    first checks the data: a file is written again only when the data's
    fingerprint no longer matches its own)."""

    scope = models.CharField(max_length=20, choices=Scope.choices)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The last good file: relative to the open-data folder, named by its
    # content, so a name once given always means the same bytes.
    path = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # The latest build.
    state = models.CharField(max_length=10, choices=BuildState.choices, default=BuildState.NEW)
    progress = models.PositiveSmallIntegerField(default=0)
    # Bumped by every claim of a build: a build whose claim was taken over
    # (its worker seemed dead) writes nothing when it finishes after all.
    attempt = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The build's last sign of life: it is given up when this gets old.
    touched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("open data file")
        verbose_name_plural = _("open data files")
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=Q(proposal__isnull=True), name="one_site_data_file"
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(proposal__isnull=False),
                name="one_data_file_per_consultation",
            ),
            models.CheckConstraint(
                condition=Q(scope="site", proposal__isnull=True)
                | Q(scope="consultation", proposal__isnull=False),
                name="data_file_scope_matches",
            ),
        ]

    def __str__(self) -> str:
        where = f"consultation {self.proposal_id}" if self.proposal_id else "site"
        return f"open data of {where} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def has_file(self) -> bool:
        return bool(self.path)
