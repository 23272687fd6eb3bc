"""The API's shapes: what the schema says and what the endpoints answer are
the same serializers (`Shape(row).data`), so the two cannot drift apart.

Read shapes render the rows the views fetch in bulk, with what a row does not
hold itself (the request, pseudonyms, rows fetched alongside) in the context;
no shape runs a query per row. A serializer's docstring is its description in
the published schema: notes for readers of this code are comments."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from discussion.comments import selectors as discussion_selectors
from discussion.models import COMMENT_MAX_LENGTH, ResponseStatus, VoteValue
from proposals.models import StanceValue, Status

CONSULTATION_STATUSES = [s for s in Status.values if s != Status.DRAFT]


# A read shape. Each field is the row's attribute of its name (or its
# `source`), as in any serializer, unless the shape has a method
# `draw_<name>(row)`: that method gives the value, for what the row does not
# hold as an attribute (a link, which needs the request; a pseudonym).
class Shape(serializers.Serializer):
    def to_representation(self, instance):
        return super().to_representation(Drawn(self, instance))


class Drawn:
    """A row as its shape sees it: `draw_<name>` first, then the row itself."""

    __slots__ = ("row", "shape")

    def __init__(self, shape: Shape, row):
        self.shape = shape
        # A nested shape of the whole row (source="*") draws from the row itself.
        self.row = row.row if isinstance(row, Drawn) else row

    def __getattr__(self, name: str):
        draw = getattr(self.shape, f"draw_{name}", None)
        if draw is not None:
            return draw(self.row)
        if isinstance(self.row, Mapping):
            return self.row[name]
        return getattr(self.row, name)


class Moment(serializers.DateTimeField):
    """A date and time as stored (ISO 8601, "Z" for UTC), never moved into the
    server's time zone."""

    def enforce_timezone(self, value):
        return value


def absolute(shape: serializers.Serializer, path: str) -> str:
    return shape.context["request"].build_absolute_uri(path)


class Named(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class Department(Named):
    jurisdiction = serializers.CharField(source="jurisdiction.slug")
    parent = serializers.CharField(source="parent.slug", allow_null=True, default=None)


class SectionText(serializers.Serializer):
    section = serializers.IntegerField(source="section_id", help_text="The section's lasting id.")
    order = serializers.IntegerField()
    heading = serializers.CharField()
    body = serializers.CharField(help_text="Markdown, as written.")
    body_html = serializers.CharField(help_text="Sanitised HTML.")


class VersionBrief(Shape):
    number = serializers.IntegerField()
    published_at = Moment()
    change_note = serializers.CharField()


# Context: `texts`, each version's section texts by the version's id.
class Version(VersionBrief):
    sections = SectionText(many=True)

    def draw_sections(self, version) -> list:
        return self.context["texts"].get(version.pk, [])


class Question(serializers.Serializer):
    id = serializers.IntegerField()
    prompt = serializers.CharField()


class Links(Shape):
    html = serializers.CharField()
    comments = serializers.CharField()
    responses = serializers.CharField()
    stances = serializers.CharField()
    versions = serializers.CharField()
    form = serializers.CharField(help_text="The response form's questions.")
    report = serializers.CharField(allow_null=True)

    def link(self, name: str, proposal) -> str:
        return absolute(self, reverse(f"api:{name}", args=[proposal.slug]))

    def draw_html(self, proposal) -> str:
        return absolute(self, proposal.get_absolute_url())

    def draw_comments(self, proposal) -> str:
        return self.link("comments", proposal)

    def draw_responses(self, proposal) -> str:
        return self.link("responses", proposal)

    def draw_stances(self, proposal) -> str:
        return self.link("stances", proposal)

    def draw_versions(self, proposal) -> str:
        return self.link("versions", proposal)

    def draw_form(self, proposal) -> str:
        return self.link("form", proposal)

    def draw_report(self, proposal) -> str | None:
        if proposal.status != Status.REPORT_PUBLISHED:
            return None
        return self.link("report", proposal)


# Context: the `request`.
class Consultation(Shape):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.ChoiceField(
        choices=CONSULTATION_STATUSES,
        help_text="As of now: a window that has closed counts as closed at once.",
    )
    department = Named()
    jurisdiction = Named()
    topics = serializers.ListField(child=serializers.CharField())
    opens_at = Moment(allow_null=True)
    closes_at = Moment(allow_null=True)
    created_at = Moment()
    updated_at = Moment()
    current_version = serializers.IntegerField(source="current_version.number")
    archived = serializers.BooleanField(help_text="An archive imported from elsewhere: read only.")
    origin = serializers.CharField(
        allow_blank=True, help_text='Where an archive came from ("polis"), or empty.'
    )
    links = Links(source="*")

    def draw_status(self, proposal) -> str:
        return getattr(proposal, "live_status", None) or proposal.effective_status()

    def draw_topics(self, proposal) -> list[str]:
        return sorted(tag.name for tag in proposal.tags.all())


# Context: the `request`, and the `questions`, `versions` and `sections`
# (of the current version) fetched for it.
class ConsultationDetail(Consultation):
    responsible_office = serializers.CharField()
    questions = Question(many=True)
    versions = VersionBrief(many=True)
    sections = SectionText(many=True, help_text="The sections of the current version.")

    def draw_questions(self, proposal):
        return self.context["questions"]

    def draw_versions(self, proposal):
        return self.context["versions"]

    def draw_sections(self, proposal):
        return self.context["sections"]


# A comment's vote counts.
class Votes(serializers.Serializer):
    agree = serializers.IntegerField(source="agree_count")
    disagree = serializers.IntegerField(source="disagree_count")
    pass_ = serializers.IntegerField(source="pass_count")

    def get_fields(self):
        fields = super().get_fields()
        fields["pass"] = fields.pop("pass_")
        return fields


# Context: the `request`, the `consultation`'s slug and its `authors`
# (consult.opendata.pseudonyms.Pseudonyms).
class Comment(Shape):
    id = serializers.IntegerField()
    consultation = serializers.CharField()
    section = serializers.IntegerField(source="section_id", allow_null=True)
    question = serializers.IntegerField(source="question_id", allow_null=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    thread = serializers.IntegerField(help_text="The id of the comment that began the thread.")
    depth = serializers.IntegerField()
    author = serializers.CharField(
        help_text="A pseudonym, the same for one person within one consultation."
    )
    version = serializers.IntegerField(
        source="version.number",
        allow_null=True,
        help_text="The version of the text it was written on.",
    )
    body = serializers.CharField(help_text="Markdown, as written.")
    body_html = serializers.CharField(help_text="Sanitised HTML.")
    created_at = Moment()
    edited_at = Moment(allow_null=True)
    votes = Votes(source="*")
    themes = serializers.ListField(child=serializers.CharField())
    responses = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the official responses to it."
    )
    url = serializers.CharField()

    def draw_consultation(self, comment) -> str:
        return self.context["consultation"]

    def draw_thread(self, comment) -> int:
        return comment.root_id or comment.pk

    def draw_author(self, comment) -> str:
        return self.context["authors"](comment.author_id)

    def draw_themes(self, comment) -> list[str]:
        return discussion_selectors.theme_names(comment)

    def draw_responses(self, comment) -> list[int]:
        return sorted(response.pk for response in comment.official_responses.all())

    def draw_url(self, comment) -> str:
        return absolute(self, comment.get_absolute_url())


# An official response. Context: the `consultation`'s slug; each row
# carries the public comments it answers as `shown`.
class Response(Shape):
    id = serializers.IntegerField()
    consultation = serializers.CharField()
    department = Named()
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    explanation = serializers.CharField(help_text="Markdown, as written.")
    explanation_html = serializers.CharField()
    comments = serializers.ListField(
        child=serializers.IntegerField(), help_text="The public comments it answers."
    )
    section = serializers.IntegerField(source="section_id", allow_null=True)
    section_heading = serializers.CharField(allow_blank=True)
    theme = serializers.CharField(source="theme_name", allow_blank=True)
    changed_version = serializers.IntegerField(source="changed_version.number", allow_null=True)
    changed_section = serializers.IntegerField(source="changed_section_id", allow_null=True)
    created_at = Moment()

    def draw_consultation(self, response) -> str:
        return self.context["consultation"]

    def draw_comments(self, response) -> list[int]:
        return sorted(comment.pk for comment in response.shown)


class StanceCounts(serializers.Serializer):
    support = serializers.IntegerField()
    oppose = serializers.IntegerField()
    neutral = serializers.IntegerField()
    total = serializers.IntegerField()


class SectionStanceCounts(serializers.Serializer):
    section = serializers.IntegerField()
    heading = serializers.CharField()
    support = serializers.IntegerField()
    oppose = serializers.IntegerField()
    neutral = serializers.IntegerField()
    total = serializers.IntegerField()


class Stances(serializers.Serializer):
    consultation = serializers.CharField()
    proposal = StanceCounts(help_text="Stances on the consultation as a whole.")
    sections = SectionStanceCounts(many=True, help_text="The current version's sections.")


class Report(serializers.Serializer):
    consultation = serializers.CharField()
    published_at = Moment()
    sha256 = serializers.CharField(help_text="SHA-256 of the snapshot as published.")
    snapshot = serializers.DictField(
        help_text="The published report: introduction, entries and the summary's figures. "
        "Words of comments no longer public are withheld."
    )
    downloads = serializers.DictField(child=serializers.CharField())


# A token. Context: the `request`, whose person holds it.
class Me(Shape):
    display_name = serializers.CharField()
    token = serializers.CharField(source="prefix", help_text="The token's public prefix.")
    token_name = serializers.CharField(source="name")
    can_write = serializers.BooleanField()
    expires_at = Moment(allow_null=True)

    def draw_display_name(self, token) -> str:
        return self.context["request"].user.display_name


# --- writes --------------------------------------------------------------------------


class CommentBody(serializers.CharField):
    """The text of a comment. Whether it is there, its length (documented here)
    and its characters (NUL, half a character) are checked by the comment
    service, as for the form and the socket, so that every way in refuses the
    same text with the same words (discussion.comments.services.clean_body)."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, **kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v,
                ProhibitNullCharactersValidator
                | ProhibitSurrogateCharactersValidator
                | MaxLengthValidator,
            )
        ]


class CommentCreate(serializers.Serializer):
    body = CommentBody(max_length=COMMENT_MAX_LENGTH, trim_whitespace=False)
    section = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A section of the current version."
    )
    question = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The comment this replies to; a reply takes its parent's place.",
    )

    def validate(self, data):
        places = [name for name in ("section", "question", "parent") if data.get(name)]
        if len(places) > 1:
            raise serializers.ValidationError(
                _("Give at most one of section, question and parent.")
            )
        return data


class CommentPosted(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=["published", "held"],
        help_text="held: waiting for a moderator; public (and in the API) once approved.",
    )
    comment = Comment(allow_null=True, help_text="The comment as published; null while held.")


class VoteCast(serializers.Serializer):
    value = serializers.ChoiceField(choices=VoteValue.choices)


class VoteRecorded(serializers.Serializer):
    comment = serializers.IntegerField()
    value = serializers.ChoiceField(choices=VoteValue.choices)
    votes = Votes()


class StanceCast(serializers.Serializer):
    value = serializers.ChoiceField(choices=StanceValue.choices)
    section = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Omit for the whole consultation."
    )


class StanceRecorded(serializers.Serializer):
    consultation = serializers.CharField()
    section = serializers.IntegerField(allow_null=True)
    value = serializers.ChoiceField(choices=StanceValue.choices)


class Index(serializers.Serializer):
    version = serializers.CharField()
    docs = serializers.CharField()
    schema = serializers.CharField()
    consultations = serializers.CharField()
    departments = serializers.CharField()
    topics = serializers.CharField()
    open_data = serializers.CharField(help_text="Bulk downloads.")
