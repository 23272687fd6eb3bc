"""The API's shapes. Read shapes are built from rows the views fetch in bulk;
no serializer here reaches the database on its own."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from discussion.models import COMMENT_MAX_LENGTH, ResponseStatus, VoteValue
from proposals.models import StanceValue, Status

CONSULTATION_STATUSES = [s for s in Status.values if s != Status.DRAFT]


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


class VersionBrief(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()


class Version(VersionBrief):
    sections = SectionText(many=True)


class Question(serializers.Serializer):
    id = serializers.IntegerField()
    prompt = serializers.CharField()


class Links(serializers.Serializer):
    html = serializers.CharField()
    comments = serializers.CharField()
    responses = serializers.CharField()
    stances = serializers.CharField()
    versions = serializers.CharField()
    report = serializers.CharField(allow_null=True)


class Consultation(serializers.Serializer):
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
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    current_version = serializers.IntegerField()
    archived = serializers.BooleanField(help_text="An archive imported from elsewhere: read only.")
    origin = serializers.CharField(
        allow_blank=True, help_text='Where an archive came from ("polis"), or empty.'
    )
    links = Links()


class ConsultationDetail(Consultation):
    responsible_office = serializers.CharField()
    questions = Question(many=True)
    versions = VersionBrief(many=True)
    sections = SectionText(many=True, help_text="The sections of the current version.")


class Votes(serializers.Serializer):
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    pass_ = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["pass"] = fields.pop("pass_")
        return fields


class Comment(serializers.Serializer):
    id = serializers.IntegerField()
    consultation = serializers.CharField()
    section = serializers.IntegerField(allow_null=True)
    question = serializers.IntegerField(allow_null=True)
    parent = serializers.IntegerField(allow_null=True)
    thread = serializers.IntegerField(help_text="The id of the comment that began the thread.")
    depth = serializers.IntegerField()
    author = serializers.CharField(
        help_text="A pseudonym, the same for one person within one consultation."
    )
    version = serializers.IntegerField(
        allow_null=True, help_text="The version of the text it was written on."
    )
    body = serializers.CharField(help_text="Markdown, as written.")
    body_html = serializers.CharField(help_text="Sanitised HTML.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    votes = Votes()
    themes = serializers.ListField(child=serializers.CharField())
    responses = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the official responses to it."
    )
    url = serializers.CharField()


class Response(serializers.Serializer):
    id = serializers.IntegerField()
    consultation = serializers.CharField()
    department = Named()
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    explanation = serializers.CharField(help_text="Markdown, as written.")
    explanation_html = serializers.CharField()
    comments = serializers.ListField(
        child=serializers.IntegerField(), help_text="The public comments it answers."
    )
    section = serializers.IntegerField(allow_null=True)
    section_heading = serializers.CharField(allow_blank=True)
    theme = serializers.CharField(allow_blank=True)
    changed_version = serializers.IntegerField(allow_null=True)
    changed_section = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class StanceCounts(serializers.Serializer):
    support = serializers.IntegerField()
    oppose = serializers.IntegerField()
    neutral = serializers.IntegerField()
    total = serializers.IntegerField()


class SectionStanceCounts(StanceCounts):
    section = serializers.IntegerField()
    heading = serializers.CharField()


class Stances(serializers.Serializer):
    consultation = serializers.CharField()
    proposal = StanceCounts(help_text="Stances on the consultation as a whole.")
    sections = SectionStanceCounts(many=True, help_text="The current version's sections.")


class Report(serializers.Serializer):
    consultation = serializers.CharField()
    published_at = serializers.DateTimeField()
    sha256 = serializers.CharField(help_text="SHA-256 of the snapshot as published.")
    snapshot = serializers.DictField(
        help_text="The published report: introduction, entries and the summary's figures. "
        "Words of comments no longer public are withheld."
    )
    downloads = serializers.DictField(child=serializers.CharField())


class Me(serializers.Serializer):
    display_name = serializers.CharField()
    token = serializers.CharField(help_text="The token's public prefix.")
    token_name = serializers.CharField()
    can_write = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)


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
