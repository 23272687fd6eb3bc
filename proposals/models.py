from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from consult.accounts.models import Department, Jurisdiction
from proposals.languages import WrittenInProposalLanguage, default_language

TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 2000
HEADING_MAX_LENGTH = 200
SECTION_MAX_LENGTH = 20_000
QUESTION_MAX_LENGTH = 300
CHANGE_NOTE_MAX_LENGTH = 2000


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


class StanceValue(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
    NEUTRAL = "neutral", _("Neutral")


class ProposalQuerySet(models.QuerySet):
    """What is public about consultations is said here, once: pages, feeds,
    the API and the open data read through `public()`."""

    def public(self):
        """Never a draft: the consultations anyone may read (`Proposal.is_public`)."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def with_published_text(self):
        """Those with a published version to read."""
        return self.filter(current_version__isnull=False)

    def with_effective_status(self):
        """Annotate `live_status`: the status as of now, boundaries applied in SQL."""
        return self.annotate(
            live_status=Case(
                When(
                    Q(status__in=[Status.SCHEDULED, Status.OPEN], closes_at__lte=Now()),
                    then=Value(Status.CLOSED),
                ),
                When(Q(status=Status.SCHEDULED, opens_at__lte=Now()), then=Value(Status.OPEN)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )


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
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    responsible_office = models.CharField(_("responsible office"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_details = models.CharField(_("other contact details"), max_length=300, blank=True)
    # The stored status; scheduled/open flip at opens_at/closes_at whenever
    # read (effective_status, with_effective_status); the periodic task only
    # catches the stored value up and does the follow-up work.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(_("reason for the last change of state"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True, db_index=True)
    current_version = models.ForeignKey(
        "ProposalVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Text of the current version's sections, and the same text cut into
    # CJK bigrams, written at publish time for full-text search.
    search_text = models.TextField(blank=True, editable=False)
    search_cjk = models.TextField(blank=True, editable=False)
    # Stances and comments, counted as they happen, for "sort by activity".
    activity_count = models.PositiveIntegerField(default=0, editable=False, db_index=True)
    # The people who took part and the comments readers can see, counted as
    # they happen for the cards (proposals.services.participation says how).
    participant_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Imported from another platform (origin says which): kept read-only, as
    # it happened there, so that its summary can be computed here.
    archived = models.BooleanField(_("archived"), default=False, editable=False)
    # Stances only from verified residents of the jurisdiction or a place
    # within it (consult.identity); reading and commenting stay open.
    requires_verification = models.BooleanField(
        _("stances limited to verified residents"), default=False
    )
    origin = models.CharField(_("imported from"), max_length=20, blank=True, editable=False)
    # The language the consultation is written in (its columns' texts), and
    # its texts in the other languages (consult.infra.translations). Its
    # sections, questions and attachments share the language.
    language = models.CharField(
        _("written in"), max_length=10, choices=settings.LANGUAGES, default=default_language
    )
    translations = models.JSONField(default=dict, blank=True)
    tags = TaggableManager(verbose_name=_("topics"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

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

    @property
    def is_public(self) -> bool:
        return self.status != Status.DRAFT


class ConsultationQuestion(WrittenInProposalLanguage):
    """A short prompt that citizens answer in the discussion."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    prompt = models.CharField(_("question"), max_length=QUESTION_MAX_LENGTH)
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("consultation question")
        verbose_name_plural = _("consultation questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.prompt


class Section(WrittenInProposalLanguage):
    """A clause of the working draft. Its row is its identity across versions:
    stances and comments attach here, and each published version snapshots it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(_("heading"), max_length=HEADING_MAX_LENGTH)
    body = models.TextField(_("text"), blank=True)
    # Removed from the working draft; kept because versions and stances point here.
    is_removed = models.BooleanField(default=False)
    # Bumped on every save, so that two officials editing at once cannot
    # silently overwrite each other (see services.section_update).
    revision = models.PositiveIntegerField(default=0)
    # The heading and text in the consultation's other languages.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.heading


class ProposalVersion(WrittenInProposalLanguage):
    """An immutable snapshot of all sections, with a change note."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    change_note = models.TextField(_("change note"), max_length=CHANGE_NOTE_MAX_LENGTH)
    translations = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("A published version is immutable.")
        super().save(*args, **kwargs)


class SectionVersion(models.Model):
    """One section as it stood in one version. Immutable."""

    version = models.ForeignKey(
        ProposalVersion, on_delete=models.CASCADE, related_name="section_versions"
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="snapshots")
    order = models.PositiveIntegerField()
    heading = models.CharField(max_length=HEADING_MAX_LENGTH)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # As written when published: the language of the columns, and the other
    # languages' heading, body and body_html. Immutable like the rest.
    language = models.CharField(max_length=10, default=default_language)
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "section"], name="section_once_per_version")
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("A published version is immutable.")
        super().save(*args, **kwargs)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"attachments/{instance.proposal_id}/{instance.sha256[:32]}{instance.extension}"


class Attachment(WrittenInProposalLanguage):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    title = models.CharField(_("title"), max_length=200)
    alt_text = models.CharField(_("text alternative"), max_length=500, blank=True)
    translations = models.JSONField(default=dict, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Stance(models.Model):
    """Support, oppose or neutral, by one citizen, remembering the version it was made on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=10, choices=StanceValue.choices)
    version = models.ForeignKey(
        ProposalVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class ProposalStance(Stance):
    """A stance on a whole proposal: one row per citizen per proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stances")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_stance_per_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value} {self.proposal_id}"


class SectionStance(Stance):
    """A stance on one section: one row per citizen per section."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="stances")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="section_stances")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="one_stance_per_section"),
        ]
        indexes = [models.Index(fields=["proposal", "section", "value"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value} {self.section_id}"


class Follow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_follow_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.proposal_id}"


class Topic(models.Model):
    """A topic's names in other languages. Topics are taggit's tags (the
    `tags` of a proposal); the tag's own name is in the site's default language."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="topic"
    )
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.tag.name

    @property
    def name(self) -> str:
        return self.tag.name


class Subscription(models.Model):
    """Following a topic, a department or a place: told when a consultation
    there opens, when its report is published, and three days before it
    closes. A department or a place takes in those below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.ForeignKey(
        "taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            # Exactly one of the three: what is followed.
            models.CheckConstraint(
                condition=(
                    Q(topic__isnull=False, department__isnull=True, jurisdiction__isnull=True)
                    | Q(topic__isnull=True, department__isnull=False, jurisdiction__isnull=True)
                    | Q(topic__isnull=True, department__isnull=True, jurisdiction__isnull=False)
                ),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=Q(topic__isnull=False),
                name="subscription_topic_once",
            ),
            models.UniqueConstraint(
                fields=["user", "department"],
                condition=Q(department__isnull=False),
                name="subscription_department_once",
            ),
            models.UniqueConstraint(
                fields=["user", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False),
                name="subscription_jurisdiction_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.target}"

    @property
    def target(self):
        return self.topic or self.department or self.jurisdiction


class Participant(models.Model):
    """A person who took part in a consultation: made the first time they
    comment, vote on a comment, take a stance or submit the response form,
    so that "people taking part" is a counter bumped only when this row is
    new. It stays when they take a stance or a vote back and when they delete
    their account: they took part (proposals.services.participation)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participants")
    # Accounts are anonymised, not removed; if one ever were, the row stays.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_participant_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} took part in {self.proposal_id}"


# The response form's questions live with the questionnaire's own code.
from proposals.questionnaire.models import FormQuestion  # noqa: E402, F401
