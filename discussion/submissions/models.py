"""A respondent's answers to a consultation's response form, their history,
their documents, and the moderation of the words they wrote."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ORGANISATION_NAME_MAX_LENGTH = 200
RESPONDENT_NAME_MAX_LENGTH = 200


class RespondentKind(models.TextChoices):
    INDIVIDUAL = "individual", _("As an individual")
    ORGANISATION = "organisation", _("On behalf of an organisation")


class OrganisationType(models.TextChoices):
    BUSINESS = "business", _("Business")
    CHARITY = "charity", _("Charity or non-governmental organisation")
    COMMUNITY = "community", _("Community or residents' group")
    PUBLIC_BODY = "public_body", _("Public body")
    ACADEMIC = "academic", _("University or research body")
    REPRESENTATIVE = "representative", _("Trade union or professional body")
    OTHER = "other", _("Other")


class Publication(models.TextChoices):
    NAMED = "named", _("Publish my response with my name")
    ANONYMOUS = "anonymous", _("Publish my response anonymously")
    WITHHELD = "withheld", _("Do not publish my response")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    POST = "post", _("Post")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    MEETING = "meeting", _("Meeting")


OFFLINE_CHANNELS = (Channel.POST, Channel.EMAIL, Channel.PHONE, Channel.MEETING)


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class FormResponse(models.Model):
    """One respondent's response to one consultation's form.

    On the website a signed-in person has at most one, kept as a draft until
    submitted and changed until the consultation closes (each submission a
    revision). A response received outside the website has no account: it is
    entered by staff (``entered_by``) with its channel and the date received.
    """

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="form_responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="form_responses",
    )
    # The name the respondent gives (a letter's signature); for the website,
    # their display name when they submitted.
    respondent_name = models.CharField(max_length=RESPONDENT_NAME_MAX_LENGTH, blank=True)
    respondent_kind = models.CharField(
        max_length=12, choices=RespondentKind.choices, default=RespondentKind.INDIVIDUAL
    )
    organisation_name = models.CharField(max_length=ORGANISATION_NAME_MAX_LENGTH, blank=True)
    organisation_type = models.CharField(
        max_length=16, choices=OrganisationType.choices, blank=True
    )
    official_view = models.BooleanField(default=False)
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.WITHHELD
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    received_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    version = models.ForeignKey(
        "proposals.ProposalVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="one_form_response_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["proposal", "status", "channel"]),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.proposal_id}"

    @property
    def is_entered(self) -> bool:
        return self.entered_by_id is not None

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    @property
    def is_published(self) -> bool:
        return self.is_submitted and self.publication != Publication.WITHHELD


class FormAnswer(models.Model):
    """The answer to one question. ``choices`` holds the keys picked (for a
    ranking, in the respondent's order); ``number`` and ``text`` the others.
    A moderator may hide the words of a free-text answer with a public
    reason: the answer still counts, its words leave every public place."""

    response = models.ForeignKey(FormResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "proposals.FormQuestion", on_delete=models.PROTECT, related_name="answers"
    )
    choices = models.JSONField(default=list, blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)
    text_html = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_reasons = models.JSONField(default=list, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    # The category of the reason (discussion.models.ReportReason), as for comments.
    hidden_category = models.CharField(max_length=20, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
        ]
        indexes = [models.Index(fields=["question"])]

    def __str__(self) -> str:
        return f"answer {self.pk} to question {self.question_id}"

    @property
    def words_public(self) -> bool:
        return bool(self.text) and self.hidden_at is None and self.held_at is None


class FormResponseRevision(models.Model):
    """What a response said at one submission: the history kept when a
    respondent changes their response before the close."""

    response = models.ForeignKey(FormResponse, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "number"], name="one_response_revision_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of response {self.response_id}"


def response_document_path(instance: ResponseDocument, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"responses/{instance.proposal_id}/{instance.sha256[:32]}{instance.extension}"


class ExtractionState(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Could not be read")
    # A scan of a letter, or a PDF with no text layer: its words are not
    # read (there is no character recognition); it is not a failure.
    SKIPPED = "skipped", _("Not read: a scan")


class ResponseDocument(models.Model):
    """A document attached to a response (an organisation's submission), or
    the scan of a letter entered by staff. Its text is extracted by the
    worker so that its words count in themes and campaign detection."""

    response = models.ForeignKey(FormResponse, on_delete=models.CASCADE, related_name="documents")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=response_document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_scan = models.BooleanField(default=False)
    extraction = models.CharField(
        max_length=8, choices=ExtractionState.choices, default=ExtractionState.PENDING
    )
    extracted_text = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["proposal", "extraction"])]

    def __str__(self) -> str:
        return self.original_name
