"""A person's notifications in the app.

This sits at the bottom of the house beside accounts: the packages above
(proposals, discussion, the report) tell people things through it, and it
knows nothing of them. A notification keeps what it needs to be shown (who,
about what, a short excerpt, where to go) so that a list of them is one query.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REPLY = "reply", _("A reply to your comment")
    RESPONSE = "response", _("An official response to your comment")
    MODERATION = "moderation", _("A moderation decision on your comment")
    REPORT = "report", _("The response report of a consultation you took part in or follow")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What it is about, as it was when it happened: "reply:<comment id>".
    key = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_thing")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # Edits and deletions find the notifications of what changed.
            models.Index(fields=["key"], name="notification_key"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
