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
    RESPONSE = (
        "response",
        _("An official response to your comment or to a section you took a stance on"),
    )
    MODERATION = "moderation", _("A moderation decision on your comment")
    # Told to the consultation's followers, and to those who follow one of
    # its topics, its department or its place (proposals.models.Subscription).
    REPORT = (
        "report",
        _(
            "The response report of a consultation you took part in or follow, "
            "or of one on a topic, department or place you follow"
        ),
    )
    OPENED = (
        "opened",
        _(
            "A consultation you follow, or one on a topic, department or place you follow, "
            "has opened"
        ),
    )
    CLOSING = (
        "closing",
        _(
            "A consultation you follow, or one on a topic, department or place you follow, "
            "closes within three days"
        ),
    )
    VERSION = "version", _("A new version of a consultation you follow")


# What an unsubscribe link stops besides one kind: every email.
ALL_KINDS = "all"

# Emailed unless the person says otherwise; a kind added later and left out
# of this set is only emailed to people who ask for it.
EMAIL_BY_DEFAULT = frozenset(Kind.values)


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Each email as it happens")
    DIGEST = "digest", _("One daily digest")
    NONE = "none", _("No emails")


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
    # Sent by email, on its own or in a digest: never sent twice. Also set
    # while a worker is sending it (see emails.claim).
    emailed_at = models.DateTimeField(null=True, blank=True)

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
            # The hourly retry of emails left unsent (emails.send_pending).
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_not_emailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """How a person wants to hear of their notifications outside the site.

    No row means the defaults: every kind in EMAIL_BY_DEFAULT, each as it
    happens, in the language they last used. The inbox keeps everything
    whatever is chosen here.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    # Kind -> email it or not, for the kinds the person has decided about.
    email = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(
        _("how to send emails"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
    )
    # Chosen on the preferences page; blank follows last_language.
    language = models.CharField(_("language of emails"), max_length=10, blank=True)
    # The language of the site when they last signed in.
    last_language = models.CharField(max_length=10, blank=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["digest_sent_at"],
                condition=models.Q(delivery="digest"),
                name="notification_digest_due",
            )
        ]

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"

    def kind_on(self, kind: str) -> bool:
        """The choice for this kind, kept when emails are stopped altogether."""
        chosen = self.email.get(kind) if isinstance(self.email, dict) else None
        return chosen if isinstance(chosen, bool) else kind in EMAIL_BY_DEFAULT

    def emails(self, kind: str) -> bool:
        """Whether this kind is emailed at all (as it happens or in the digest)."""
        return self.delivery != Delivery.NONE and self.kind_on(kind)

    def email_language(self) -> str:
        codes = {code for code, _name in settings.LANGUAGES}
        for code in (self.language, self.last_language):
            if code in codes:
                return code
        return settings.LANGUAGE_CODE
