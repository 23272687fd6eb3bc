from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 80


class AccessToken(models.Model):
    """A personal access token: the API acting as its owner, no further.

    Only a SHA-256 digest of the secret is stored; the token itself is shown
    once, when it is made. `prefix` names it in lists and logs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=24, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        _("may write"),
        default=False,
        help_text=_(
            "Comment, reply, vote and take stances as you. Without it the token only reads."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
