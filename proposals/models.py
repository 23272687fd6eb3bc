from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Department, Jurisdiction


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PUBLIC_STATUSES = [
    Status.SCHEDULED,
    Status.OPEN,
    Status.CLOSED,
    Status.REPORT_PUBLISHED,
    Status.WITHDRAWN,
]


class Proposal(models.Model):
    """A draft policy put to public consultation by a department."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="proposals"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    summary = models.TextField(_("summary"), max_length=2000)
    # The stored status; scheduled/open flip at opens_at/closes_at whenever
    # read (see effective_status), the periodic task only does the follow-up.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="proposal_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", kwargs={"slug": self.slug})

    def effective_status(self, now=None) -> str:
        """The status as of now: a window boundary that has passed counts at once."""
        now = now or timezone.now()
        status = self.status
        if status == Status.SCHEDULED and self.opens_at and self.opens_at <= now:
            status = Status.OPEN
        if status == Status.OPEN and self.closes_at and self.closes_at <= now:
            status = Status.CLOSED
        return status

    def get_effective_status_display(self) -> str:
        return Status(self.effective_status()).label
