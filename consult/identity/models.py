from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REASON_MAX_LENGTH = 500


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


# A request that still stands: at most one of these per person and place.
LIVE_STATUSES = (Status.PENDING, Status.VERIFIED)

IDENTITY_TAKEN = _(
    "This identity already verifies another account. If that account is yours, sign in to it "
    "and verify there; if you no longer use it, delete it first, then try again here."
)
CODE_EXPIRED = _(
    "The code has expired: codes last %(days)d days. Start a new request to get a new letter."
)
CODE_LOCKED = _(
    "Too many wrong codes were entered, so this request is closed. Start a new request to get "
    "a new letter."
)
CODE_LIFETIME_DAYS = 30
# Why the system itself closed a request, in the reader's language (Verification.reason_code).
# A request nobody decided (a document never reviewed, a letter never
# printed) is closed after this long, and what the person gave is deleted.
PENDING_MAX_DAYS = 90
REQUEST_STALE = _(
    "This request waited %(waited)d days without a decision, so it was closed and what you "
    "gave was deleted. Start a new request if you still want to be verified."
)
SYSTEM_REASONS = {
    "taken": IDENTITY_TAKEN,
    "expired": CODE_EXPIRED,
    "locked": CODE_LOCKED,
    "stale": REQUEST_STALE,
}


class IdentityClaim(models.Model):
    """One real identity, bound to one account.

    The digest is a keyed hash of the normalised identifier (a document
    number, a name and postal address): the identifier itself is never kept
    once a request is decided. The unique constraint is what keeps one
    identity from verifying two accounts, even when both are approved at the
    same moment.
    """

    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="identity_claims",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity claim")
        verbose_name_plural = _("identity claims")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class Verification(models.Model):
    """A person's request to be a verified resident of a jurisdiction, and its outcome."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The key of a method in settings.CONSULT_VERIFICATION_METHODS.
    method = models.CharField(_("method"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Shown to the person: why it was rejected or revoked, in the reviewer's
    # words; or, when the system decided, a code shown in the reader's language.
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=20, blank=True)
    # What the method needs while the request is pending (a document number,
    # the stored scan, a postal address, the hash of a code). Emptied when
    # the request is decided: only the claim's digest outlives it.
    method_data = models.JSONField(_("method data"), default=dict, blank=True)
    claim = models.ForeignKey(
        IdentityClaim,
        verbose_name=_("identity claim"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verifications",
    )

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction"],
                condition=Q(status__in=["pending", "verified"]),
                name="verification_one_live_per_place",
            )
        ]
        indexes = [models.Index(fields=["method", "status"], name="verification_queue")]

    def __str__(self) -> str:
        return f"{self.user} · {self.jurisdiction} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING

    def reason_text(self) -> str:
        """The reason as the person reads it: the system's own, translated, or the reviewer's."""
        if self.reason_code in SYSTEM_REASONS:
            return str(SYSTEM_REASONS[self.reason_code]) % {
                "days": CODE_LIFETIME_DAYS,
                "waited": PENDING_MAX_DAYS,
            }
        return self.reason
