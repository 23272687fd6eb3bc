"""Reading a response sent as JSON, before the service sees it.

JSON can carry what no web form can: an array or a number for the whole
body, objects where text belongs, numbers as keys, half of a UTF-16 pair.
Each is refused here with the field it was found in (a question's field is
`q<id>`, as the service names it), so that the service gets only what a web
form could have sent: {question id: text | [text] | None}. Everything about
the answers themselves (a choice not on the question, a required answer
missing, a text too long) is left to the service, which checks every way in
alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from discussion.submissions.answers import field_name
from discussion.submissions.models import OrganisationType, Publication, RespondentKind
from discussion.submissions.services import Respondent
from proposals.questionnaire.models import FormQuestion, QuestionKind

BODY_NOT_OBJECT = _(
    "Send a JSON object with respondent, answers and submit, as the API's reference shows."
)
NOT_OBJECT = _("%(name)s must be a JSON object.")
SUBMIT_INVALID = _("submit must be true (submit the response) or false (save a draft).")
NOT_TEXT = _("%(name)s must be text.")
NOT_BOOLEAN = _("%(name)s must be true or false.")
NOT_ONE_OF = _("%(name)s must be one of: %(choices)s.")
QUESTION_KEY = _(
    "“%(key)s” is not a question's number: answers are keyed by the ids of the form's "
    'questions, such as "12".'
)
TOO_MANY = _("answers has more entries (%(count)d) than any form has questions.")
ONE_VALUE = _("This question takes one answer as text, not a list.")
ONE_NUMBER = _("This question takes a number (or a decimal as text), not a list.")
A_LIST = _('This question takes a list of answer keys, such as ["c1", "c3"].')
LIST_OF_TEXT = _("Each item of the list must be an answer key, as text.")
NOT_AN_ANSWER = _("An answer must be text, a number or a list of answer keys.")
LONE_SURROGATE = _(
    "The text contains U+%(code)04X, half of a character without its other half, which "
    "cannot be stored. Remove it and send the text again."
)
DOCUMENTS = _(
    "Documents cannot be attached through the API: attach them on the consultation's form page."
)

# More entries than this in `answers` is no form's: refused before anything
# is looked up, so that a huge object costs one message, not one per key.
MAX_ANSWERS = 500
LISTS = (QuestionKind.MULTIPLE, QuestionKind.RANKING)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A field left out, as against one sent as null (which the schema refuses).
MISSING = object()


@dataclass
class Sent:
    respondent: Respondent
    answers: dict[int, str | list[str] | None]
    submit: bool


def _surrogate(text: str) -> str | None:
    found = _SURROGATE.search(text)
    return None if found is None else str(LONE_SURROGATE % {"code": ord(found.group())})


def _text(value, name: str, errors: dict) -> str:
    if not isinstance(value, str):
        errors[name] = [str(NOT_TEXT % {"name": name})]
        return ""
    problem = _surrogate(value)
    if problem:
        errors[name] = [problem]
        return ""
    return value


def _one_of(value, name: str, choices: Iterable[str], errors: dict) -> str:
    allowed = list(choices)
    if not isinstance(value, str) or value not in allowed:
        errors[name] = [str(NOT_ONE_OF % {"name": name, "choices": ", ".join(allowed)})]
        return ""
    return value


def _respondent(raw, errors: dict) -> Respondent:
    """Each field as the schema gives it; what is left out stays unchosen."""
    if raw is MISSING:
        return Respondent(kind="", publication="")
    if not isinstance(raw, dict):
        errors["respondent"] = [str(NOT_OBJECT % {"name": "respondent"})]
        return Respondent()
    respondent = Respondent(kind="", publication="")
    if "kind" in raw:
        respondent.kind = _one_of(raw["kind"], "respondent_kind", RespondentKind.values, errors)
    if "organisation_name" in raw:
        respondent.organisation_name = _text(raw["organisation_name"], "organisation_name", errors)
    if "organisation_type" in raw:
        respondent.organisation_type = _one_of(
            raw["organisation_type"], "organisation_type", ["", *OrganisationType.values], errors
        )
    if "official_view" in raw:
        if isinstance(raw["official_view"], bool):
            respondent.official_view = raw["official_view"]
        else:
            errors["official_view"] = [str(NOT_BOOLEAN % {"name": "official_view"})]
    if "publication" in raw:
        respondent.publication = _one_of(
            raw["publication"], "publication", Publication.values, errors
        )
    return respondent


def _value(question: FormQuestion | None, value):
    """The answer as the service takes it, or raise the message for its field."""
    if value is None:
        return None
    kind = question.kind if question is not None else None
    if isinstance(value, bool) or not isinstance(value, str | int | float | list):
        raise ValueError(NOT_AN_ANSWER)
    if isinstance(value, list):
        if kind is not None and kind not in LISTS:
            raise ValueError(ONE_NUMBER if kind == QuestionKind.NUMBER else ONE_VALUE)
        if not all(isinstance(item, str) for item in value):
            raise ValueError(LIST_OF_TEXT)
        for item in value:
            if problem := _surrogate(item):
                raise ValueError(problem)
        return value
    if kind in LISTS:
        raise ValueError(A_LIST)
    if isinstance(value, int | float):
        if kind is not None and kind != QuestionKind.NUMBER:
            raise ValueError(NOT_TEXT % {"name": field_name(question)})
        return repr(value) if isinstance(value, float) else str(value)
    if problem := _surrogate(value):
        raise ValueError(problem)
    return value


def _answers(raw, questions: dict[int, FormQuestion], errors: dict) -> dict:
    if raw is MISSING:
        return {}
    if not isinstance(raw, dict):
        errors["answers"] = [str(NOT_OBJECT % {"name": "answers"})]
        return {}
    if len(raw) > MAX_ANSWERS:
        errors["answers"] = [str(TOO_MANY % {"count": len(raw)})]
        return {}
    answers: dict[int, str | list[str] | None] = {}
    for key, value in raw.items():
        if not (key.isascii() and key.isdigit() and 0 < len(key) <= 18):
            errors.setdefault("answers", []).append(str(QUESTION_KEY % {"key": key[:30]}))
            continue
        pk = int(key)
        try:
            answers[pk] = _value(questions.get(pk), value)
        except ValueError as error:
            errors[f"q{pk}"] = [str(error.args[0])]
    return answers


def read_response(data, questions: list[FormQuestion]) -> Sent:
    """The body of a POST to a consultation's form/response/, or a 400 naming
    every field at fault."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [str(BODY_NOT_OBJECT)]})
    errors: dict[str, list[str]] = {}
    if "documents" in data:
        errors["documents"] = [str(DOCUMENTS)]
    submit = data.get("submit")
    if not isinstance(submit, bool):
        errors["submit"] = [str(SUBMIT_INVALID)]
    respondent = _respondent(data.get("respondent", MISSING), errors)
    answers = _answers(data.get("answers", MISSING), {q.pk: q for q in questions}, errors)
    if errors:
        raise ValidationError(errors)
    return Sent(respondent=respondent, answers=answers, submit=bool(submit))
