"""The API's shapes of a consultation's response form: its questions, the
counts of its answers, the responses published as their respondents chose,
and a person's own response (read, saved as a draft, submitted).

As in consult.api.serializers, a serializer's docstring is its description
in the published schema; notes for readers of this code are comments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.api.serializers import Moment, Shape
from consult.opendata import form as public_form
from discussion.submissions.answers import plain
from discussion.submissions.models import (
    Channel,
    OrganisationType,
    Publication,
    RespondentKind,
    ResponseStatus,
)
from proposals.questionnaire.models import QuestionKind

BREAKDOWNS = ["all", "respondent_kind", "channel"]
WITHHELD = ["", public_form.HIDDEN, public_form.HELD]

ANSWER_SCHEMA = {
    "oneOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "array", "items": {"type": "string"}},
    ],
    "nullable": True,
    "description": "Single choice and scale: a choice key. Multiple choice: a list of keys. "
    "Ranking: a list of keys, first place first. Number: a number (or a decimal as text). "
    "Text: the text. null: not answered.",
}


@extend_schema_field(ANSWER_SCHEMA)
class AnswerValue(serializers.Field):
    """An answer as the form takes it (checked by consult.api.views.form_input)."""

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        return data


class Choice(serializers.Serializer):
    key = serializers.CharField(help_text="Never changes once the question is published.")
    label = serializers.CharField()


# A published question. Each row has its `published_in` version fetched.
class FormQuestion(Shape):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    prompt = serializers.CharField()
    help_text = serializers.CharField(allow_blank=True)
    section = serializers.IntegerField(
        source="section_id", allow_null=True, help_text="null: about the whole consultation."
    )
    required = serializers.BooleanField(help_text="Must be answered when it is shown.")
    choices = Choice(many=True, help_text="Empty for number and text questions.")
    shown_if = serializers.IntegerField(
        allow_null=True,
        help_text="Shown (and required) only when the answer to this earlier question is "
        "one of shown_if_choices; otherwise its answer is dropped.",
    )
    shown_if_choices = serializers.ListField(child=serializers.CharField())
    text_limit = serializers.IntegerField(
        allow_null=True, help_text="Text: the longest answer, in characters."
    )
    min_value = serializers.CharField(allow_null=True, help_text="Number: the smallest accepted.")
    max_value = serializers.CharField(allow_null=True, help_text="Number: the largest accepted.")
    version = serializers.IntegerField(help_text="The version it was published with.")

    def draw_choices(self, question) -> list[dict]:
        return [{"key": key, "label": label} for key, label in question.choice_pairs()]

    def draw_shown_if(self, question) -> int | None:
        return question.shown_if_id

    def draw_shown_if_choices(self, question) -> list[str]:
        return list(question.shown_if_choices or []) if question.shown_if_id else []

    def draw_text_limit(self, question) -> int | None:
        return question.text_limit if question.kind == QuestionKind.TEXT else None

    def draw_min_value(self, question) -> str | None:
        return None if question.min_value is None else plain(question.min_value)

    def draw_max_value(self, question) -> str | None:
        return None if question.max_value is None else plain(question.max_value)

    def draw_version(self, question) -> int:
        return question.published_in.number


class Form(serializers.Serializer):
    consultation = serializers.CharField()
    questions = FormQuestion(many=True, help_text="The published questions, in order.")


class ChoiceCount(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Responses in the group that picked it (a ranking: ranked it at all)."
    )
    first_place = serializers.IntegerField(
        allow_null=True, help_text="A ranking: responses that put it first; null otherwise."
    )


class GroupCount(serializers.Serializer):
    breakdown = serializers.ChoiceField(choices=BREAKDOWNS)
    group = serializers.CharField(
        allow_blank=True,
        help_text="respondent_kind: individual or organisation; channel: web, post, email, "
        "phone or meeting; empty for all.",
    )
    responses = serializers.IntegerField(help_text="Submitted responses in the group.")
    answered = serializers.IntegerField(help_text="How many of them answered the question.")
    choices = ChoiceCount(many=True, help_text="Empty for number and text questions.")


class QuestionCount(serializers.Serializer):
    question = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    prompt = serializers.CharField()
    groups = GroupCount(many=True)


class FormCounts(serializers.Serializer):
    """Every submitted response counts, published or not (a count says nothing
    about anyone); drafts never count."""

    consultation = serializers.CharField()
    responses = serializers.IntegerField(help_text="Submitted responses.")
    questions = QuestionCount(many=True)


class PublishedAnswer(Shape):
    question = serializers.IntegerField(source="question_id")
    choices = serializers.ListField(child=serializers.CharField())
    number = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_blank=True, help_text="Markdown, as written.")
    text_html = serializers.CharField(allow_blank=True, help_text="Sanitised HTML.")
    text_withheld = serializers.ChoiceField(
        choices=WITHHELD,
        help_text="hidden: a moderator removed the words; held: they wait for review; "
        "empty when nothing is withheld.",
    )

    def _withheld(self, answer) -> str:
        return public_form.withheld_because(answer.hidden_at, answer.held_at) if answer.text else ""

    def draw_number(self, answer) -> str | None:
        return None if answer.number is None else plain(answer.number)

    def draw_text(self, answer) -> str:
        return "" if self._withheld(answer) else answer.text

    def draw_text_html(self, answer) -> str:
        return "" if self._withheld(answer) else answer.text_html

    def draw_text_withheld(self, answer) -> str:
        return self._withheld(answer)


# A published response. Context: the consultation's `pseudonyms`
# (consult.opendata.pseudonyms.Pseudonyms of kind RESPONSE); each row has
# its `version` fetched and its answers prefetched in the form's order.
class PublishedResponse(Shape):
    """A submitted response its respondent allowed to be published: named
    (with the person's or the organisation's name) or anonymous (no name)."""

    id = serializers.CharField(help_text="A pseudonym of the response, as in the open data.")
    publication = serializers.ChoiceField(choices=[Publication.NAMED, Publication.ANONYMOUS])
    name = serializers.CharField(
        allow_blank=True,
        help_text="Named: the organisation's name, or the person's. Anonymous: empty.",
    )
    respondent_kind = serializers.ChoiceField(choices=RespondentKind.choices)
    organisation_type = serializers.CharField(allow_blank=True)
    official_view = serializers.BooleanField(
        allow_null=True, help_text="Organisations: the organisation's official view."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    submitted_on = serializers.DateField(help_text="The day (UTC), never the time.")
    received_on = serializers.DateField(allow_null=True, help_text="Entered by staff: received.")
    version = serializers.IntegerField(source="version.number", allow_null=True)
    answers = PublishedAnswer(many=True)

    def _organisation(self, response) -> bool:
        return response.respondent_kind == RespondentKind.ORGANISATION

    def draw_id(self, response) -> str:
        return self.context["pseudonyms"](response.pk)

    def draw_name(self, response) -> str:
        return public_form.public_name(
            response.publication,
            response.respondent_kind,
            response.respondent_name,
            response.organisation_name,
        )

    def draw_organisation_type(self, response) -> str:
        return response.organisation_type if self._organisation(response) else ""

    def draw_official_view(self, response) -> bool | None:
        return response.official_view if self._organisation(response) else None

    def draw_submitted_on(self, response):
        return public_form.day_of(response.submitted_at)

    def draw_answers(self, response) -> list:
        return response.answers.all()


class Respondent(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RespondentKind.choices, required=False)
    organisation_name = serializers.CharField(
        required=False, allow_blank=True, help_text="For an organisation."
    )
    organisation_type = serializers.ChoiceField(
        choices=["", *OrganisationType.values], required=False, help_text="For an organisation."
    )
    official_view = serializers.BooleanField(
        required=False, help_text="For an organisation: the response is its official view."
    )
    publication = serializers.ChoiceField(
        choices=Publication.choices,
        required=False,
        help_text="named: publish with my name; anonymous: publish without any name; "
        "withheld: do not publish (it still counts).",
    )


class ResponseWrite(serializers.Serializer):
    """A draft (submit false; only before the first submission) or a
    submission (submit true), which replaces the one before until the
    consultation closes. Documents cannot be attached through the API."""

    respondent = Respondent(required=False)
    answers = serializers.DictField(
        child=AnswerValue(),
        required=False,
        help_text='The answers by question id (as a string, e.g. "12").',
    )
    submit = serializers.BooleanField()


# The person's own response, with what they wrote even where its words are
# not public (the marker says so).
class OwnResponse(Shape):
    consultation = serializers.CharField()
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    revision = serializers.IntegerField(help_text="Submissions so far; 0 for a draft.")
    respondent = Respondent()
    answers = serializers.DictField(child=AnswerValue(), help_text="As they are sent.")
    text_withheld = serializers.DictField(
        child=serializers.ChoiceField(choices=WITHHELD[1:]),
        help_text="Question ids whose words are not public, and why.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    created_at = Moment()
    updated_at = Moment()
    submitted_at = Moment(allow_null=True)

    def draw_consultation(self, response) -> str:
        return response.proposal.slug

    def draw_respondent(self, response) -> dict:
        return {
            "kind": response.respondent_kind,
            "organisation_name": response.organisation_name,
            "organisation_type": response.organisation_type,
            "official_view": response.official_view,
            "publication": response.publication,
        }

    def draw_answers(self, response) -> dict:
        return {str(a.question_id): own_value(a) for a in response.answers.all()}

    def draw_text_withheld(self, response) -> dict:
        found = {}
        for a in response.answers.all():
            why = public_form.withheld_because(a.hidden_at, a.held_at) if a.text else ""
            if why:
                found[str(a.question_id)] = why
        return found


def own_value(answer) -> str | list[str]:
    """An answer as the API takes it, so that what is read can be sent back."""
    kind = answer.question.kind
    if kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        return list(answer.choices)
    if kind == QuestionKind.NUMBER:
        return plain(answer.number) if answer.number is not None else ""
    if kind == QuestionKind.TEXT:
        return answer.text
    return answer.choices[0] if answer.choices else ""
