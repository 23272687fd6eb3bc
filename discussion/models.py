"""Threaded comments, their votes and history, and the per-proposal event log."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from discussion.page_indexes import PAGE_INDEXES
from proposals.models import (
    ConsultationQuestion,
    Proposal,
    ProposalVersion,
    Section,
    SectionVersion,
)

COMMENT_MAX_LENGTH = 5000
# Threads nest on the page to this depth; deeper replies continue on the page
# of the comment at this depth (they are still stored at their real depth).
DISPLAY_DEPTH = 4


def public_comment(prefix: str = "") -> models.Q:
    """A comment whose words are public (`Comment.is_public`): not deleted by
    its author, hidden by a moderator or held for review. `prefix` reaches
    the comment from another model ("comment__" from its votes)."""
    return models.Q(
        **{
            f"{prefix}is_deleted": False,
            f"{prefix}hidden_at__isnull": True,
            f"{prefix}held_at__isnull": True,
        }
    )


class CommentQuerySet(models.QuerySet):
    def public(self):
        """Comments whose words are on public pages, feeds, the API and the open data."""
        return self.filter(public_comment())


class CommentVoteQuerySet(models.QuerySet):
    def public(self):
        """Votes on public comments."""
        return self.filter(public_comment("comment__"))


class Comment(models.Model):
    """A comment on a proposal, one of its sections or one of its questions.

    Replies point at their parent and at their thread's root, and carry their
    depth: a page of threads is two queries (the roots, then every reply of
    those roots), and a reply is a plain insert, so busy parents never race
    over a shared path counter.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    question = models.ForeignKey(
        ConsultationQuestion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # The version of the text the comment was written against.
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A tombstone: the author deleted it; replies stay where they are.
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator, with a public reason: the words leave every
    # public page and feed, the replies stay, and moderators still see them.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    # Hidden by readers' reports, until a moderator decides (no reason typed).
    hidden_pending_review = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The category of the public reason, counted in the public moderation log.
    hidden_category = models.CharField(max_length=20, blank=True)
    # Held by the pre-moderation rules until a moderator approves it: shown to
    # its author (marked as awaiting review) and to moderators, nowhere else.
    held_at = models.DateTimeField(null=True, blank=True)
    held_reasons = models.JSONField(default=list, blank=True)
    # Curation by moderators: never a change to the words.
    highlighted_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    themes = TaggableManager(
        verbose_name=_("themes"), through="discussion.ThemedComment", blank=True
    )
    # The moderator handling it in the queue, so that two never work on one
    # item unknowingly; a claim lapses after CONSULT_QUEUE_CLAIM_SECONDS.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Counted as they happen, for sorting without aggregating every vote.
    reply_count = models.PositiveIntegerField(default=0)
    agree_count = models.PositiveIntegerField(default=0)
    disagree_count = models.PositiveIntegerField(default=0)
    pass_count = models.PositiveIntegerField(default=0)
    # The key of the draft it was posted from: the same post sent again finds it (comments/keys.py).
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = PAGE_INDEXES + [  # noqa: RUF005 - the file holds 500 lines at most
            models.Index(fields=["root", "created_at"]),
            models.Index(
                fields=["proposal"], condition=models.Q(held_at__isnull=False), name="held_comments"
            ),
        ]
        # Once per author, so that two attempts at one post cannot both be stored.
        constraints = [models.UniqueConstraint(fields=["client_key", "author"], name="post_key")]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("discussion:comment", kwargs={"pk": self.pk})

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def is_public(self) -> bool:
        """Its words are on public pages, feeds and the live channel."""
        return not (self.is_deleted or self.is_hidden or self.is_held)

    def place_key(self) -> str:
        """Its discussion within the proposal: a section, a question, or the whole."""
        if self.section_id:
            return f"section:{self.section_id}"
        if self.question_id:
            return f"question:{self.question_id}"
        return "general"

    @cached_property
    def responses(self) -> list:
        """Its official answers (filled in bulk by the selectors for a page)."""
        return list(responses_for_display(self.official_responses.all()))

    def url_in_context(self) -> str:
        """Where the comment is shown in context: its section's (or question's,
        or the proposal's) discussion, unless the thread is deeper than that
        page nests, and then the page of the thread it continues in."""
        if self.depth < DISPLAY_DEPTH:
            slug = self.proposal.slug
            if self.section_id:
                url = reverse("section-discussion", args=[slug, self.section_id])
            elif self.question_id:
                url = reverse("question-discussion", args=[slug, self.question_id])
            else:
                url = reverse("general-discussion", args=[slug])
            return f"{url}#comment-{self.pk}"
        return f"{self.get_absolute_url()}#comment-{self.pk}"


class CommentRevision(models.Model):
    """What a comment said before an edit. Never changed."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"revision of {self.comment_id} at {self.written_at:%Y-%m-%d %H:%M}"


class VoteValue(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    PASS = "pass", _("Pass")


class CommentVote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=10, choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CommentVoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_vote_per_comment")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value} {self.comment_id}"


class EventCounter(models.Model):
    """The last sequence number given out for a proposal's live events."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.last_seq}"


class Event(models.Model):
    """One live event of a proposal, written in the transaction of the change
    it reports, so that a client that missed it can be given it again."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "seq"]
        constraints = [models.UniqueConstraint(fields=["proposal", "seq"], name="event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.seq} {self.type}"


class ResponseStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    NOTED = "noted", _("Noted")


class OfficialResponse(models.Model):
    """An official answer from the consultation's department to what the
    public said: to one or many comments (shown under each of them), to a
    section as a whole, or to a theme as a whole; never two of these at once."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="official_responses"
    )
    comments = models.ManyToManyField(Comment, related_name="official_responses")
    # RESTRICT, not PROTECT: deleting the proposal takes its responses and sections together.
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="official_responses",
    )
    # The theme tag; its name is copied so the answer still says what it
    # answered if the tag is ever deleted.
    theme = models.ForeignKey(
        "taggit.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    theme_name = models.CharField(max_length=100, blank=True)
    # The section's heading when answered (the draft's may change before the next version).
    section_heading = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Who answered, as the public sees it: the department, not the person.
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ResponseStatus.choices)
    explanation = models.TextField(_("explanation"), max_length=COMMENT_MAX_LENGTH)
    explanation_html = models.TextField()
    # What changed in the text because of it (both of the same proposal; the
    # section, when a version is named too, is one of that version's).
    changed_version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    changed_section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__isnull=True) | models.Q(theme_name=""),
                name="response_section_or_theme",
            ),
            models.CheckConstraint(
                condition=models.Q(theme__isnull=True) | ~models.Q(theme_name=""),
                name="response_theme_named",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f" on section {self.section_id}"
            if self.section_id
            else f" on theme {self.theme_name}"
            if self.theme_name
            else ""
        )
        return f"{self.get_status_display()} by {self.department_id}{target}"

    @property
    def changed_section_heading(self) -> str:
        """The changed section's heading, as the changed version has it when
        the reading query or the service brought it (`changed_heading`)."""
        heading = getattr(self, "changed_heading", None)
        if heading:
            return heading
        return self.changed_section.heading if self.changed_section_id else ""

    @property
    def kind(self) -> str:
        """What it answers: "section", "theme" or "comments"."""
        if self.section_id:
            return "section"
        if self.theme_name:
            return "theme"
        return "comments"


def responses_for_display(qs: models.QuerySet[OfficialResponse]) -> models.QuerySet:
    """What a response's fragment shows, in the query that reads it: the
    department, what it answers, and the version and section that changed
    (with the section's heading in that version)."""
    heading = SectionVersion.objects.filter(
        version_id=models.OuterRef("changed_version_id"),
        section_id=models.OuterRef("changed_section_id"),
    ).values("heading")[:1]
    return qs.select_related(
        "proposal", "department", "section", "changed_version", "changed_section"
    ).annotate(changed_heading=models.Subquery(heading))


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    ABUSE = "abuse", _("Abuse or harassment")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_DATA = "personal_data", _("Personal data")
    MISINFORMATION = "misinformation", _("Misinformation")
    OTHER = "other", _("Other")


class Report(models.Model):
    """A reader's report of a comment: once per reader per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Settled by a moderator's decision on the comment (hidden, or reports dismissed).
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")
        ]
        indexes = [
            models.Index(
                fields=["comment"],
                condition=models.Q(resolved_at__isnull=True),
                name="open_reports",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id} reported {self.comment_id}: {self.reason}"


class ThemedComment(TaggedItemBase):
    """A theme tag on a comment (django-taggit), set by moderators for the summary."""

    content_object = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="one_theme_per_comment")
        ]


class Pin(models.Model):
    """The one comment pinned at the top of a discussion (a section, a
    question, or the proposal as a whole)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="pins")
    place = models.CharField(max_length=40)
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="pin")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "place"], name="one_pin_per_discussion")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.place}: {self.comment_id}"


class AppealOutcome(models.TextChoices):
    RESTORED = "restored", _("Restored")
    UPHELD = "upheld", _("Hiding upheld")


class Appeal(models.Model):
    """The author's one appeal against a comment being hidden, decided by a
    moderator other than the one who hid it."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="appeal")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=1000)
    # Who hid it when the appeal was made: they may not decide it.
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=AppealOutcome.choices, blank=True)
    decision_note = models.CharField(_("decision"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"appeal of {self.comment_id}: {self.outcome or 'open'}"


import discussion.submissions.models  # noqa: E402, F401 - the response form's models
from discussion.moderation.models import ModerationPolicy  # noqa: E402, F401 - its own module
