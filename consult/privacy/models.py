"""A person's "download my data" archives and the state of their builds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be prepared")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


IN_PROGRESS = (ExportState.QUEUED, ExportState.BUILDING)


class DataExport(models.Model):
    """One archive of everything the site holds about a person, built in the
    background. Its link works once, for its owner only, until `expires_at`.

    Only a SHA-256 digest of the link's token is stored (with a random nonce
    it is derived from, see consult.privacy.services.archives.export_token): the
    database alone cannot rebuild a link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    nonce = models.CharField(max_length=64, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The language the person used when asking: the archive's README and the
    # email that says it is ready are written in it.
    language = models.CharField(max_length=16, blank=True)
    # Relative to the private exports folder; emptied when the file is removed.
    path = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two forms sent at once cannot start two builds for one person.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=["queued", "building"]),
                name="one_data_export_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} of user {self.user_id} ({self.state})"

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now

    def is_downloadable(self, now=None) -> bool:
        """Ready, its file still there, not yet downloaded, not expired."""
        return (
            self.state == ExportState.READY
            and bool(self.path)
            and self.downloaded_at is None
            and not self.is_expired(now)
        )
