"""Checking a respondent's answers against the questions they answer.

Every way in (the web form, a clerk's entry, the API) gives the answers as
{question id: raw value}, a raw value being a string, a list of strings
(multiple choice; a ranking in order) or None. `clean_answers` returns the
answers to store and, per question, what is wrong in words a respondent
understands. A question whose condition is not met is not shown: its answer
is dropped and it is never required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consult.infra.text import TextRule, clean_text
from proposals.questionnaire.models import FormQuestion, QuestionKind

REQUIRED = _("Answer this question.")
NOT_A_CHOICE = _("“%(value)s” is not one of this question's answers.")
ONE_ONLY = _("Pick only one answer.")
NUMBER_INVALID = _("Enter a number, such as 12 or 3.5.")
NUMBER_TOO_SMALL = _("Enter a number of at least %(limit)s.")
NUMBER_TOO_LARGE = _("Enter a number of at most %(limit)s.")
TEXT_TOO_LONG = _("Your answer can be at most %(limit)d characters; it has %(length)d.")
NUL_IN_TEXT = _("Your answer contains a character that is not text (NUL). Remove it and try again.")
RANK_TWICE = _("Each answer you rank needs a place of its own, starting at 1.")
UNKNOWN_QUESTION = _("Question %(id)s is not part of this form.")

NUMBER_LIMIT = Decimal(10) ** 14


@dataclass
class Answer:
    """What is stored for one question."""

    question: FormQuestion
    choices: list[str] = field(default_factory=list)
    number: Decimal | None = None
    text: str = ""


def plain(number: Decimal) -> str:
    """A number as people write it: 20, not 2E+1 or 20.0000."""
    return f"{number.normalize():f}"


def field_name(question: FormQuestion) -> str:
    """The form field of a question, and the key of its error."""
    return f"q{question.pk}"


def _as_list(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return [str(item) for item in raw if str(item).strip() != ""]
    return [str(raw)] if str(raw).strip() != "" else []


def _choices(question: FormQuestion, raw) -> list[str]:
    picked = _as_list(raw)
    keys = question.choice_keys()
    for value in picked:
        if value not in keys:
            raise ValidationError(NOT_A_CHOICE, params={"value": value[:50]})
    if len(set(picked)) != len(picked):
        raise ValidationError(RANK_TWICE if question.kind == QuestionKind.RANKING else ONE_ONLY)
    if question.kind in (QuestionKind.SINGLE, QuestionKind.SCALE) and len(picked) > 1:
        raise ValidationError(ONE_ONLY)
    if question.kind == QuestionKind.MULTIPLE:
        # Stored in the question's order, whatever order the form sent.
        picked = [key for key in keys if key in set(picked)]
    return picked


def _number(question: FormQuestion, raw) -> Decimal | None:
    values = _as_list(raw)
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError(NUMBER_INVALID)
    try:
        number = Decimal(values[0].strip())
    except InvalidOperation:
        raise ValidationError(NUMBER_INVALID) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValidationError(NUMBER_INVALID)
    if question.min_value is not None and number < question.min_value:
        raise ValidationError(NUMBER_TOO_SMALL, params={"limit": plain(question.min_value)})
    if question.max_value is not None and number > question.max_value:
        raise ValidationError(NUMBER_TOO_LARGE, params={"limit": plain(question.max_value)})
    return number.quantize(Decimal("0.0001"))


def _text(question: FormQuestion, raw) -> str:
    values = _as_list(raw)
    rule = TextRule(
        field_name(question),
        question.text_limit or 0,
        TEXT_TOO_LONG,
        refuse_nul=NUL_IN_TEXT,
    )
    try:
        return clean_text("\n".join(values), rule)
    except ValidationError as error:
        raise ValidationError(error.message_dict[field_name(question)][0]) from None


def _shown(question: FormQuestion, answers: dict[int, Answer]) -> bool:
    if question.shown_if_id is None:
        return True
    earlier = answers.get(question.shown_if_id)
    return earlier is not None and bool(set(earlier.choices) & set(question.shown_if_choices))


def _answer(question: FormQuestion, raw) -> Answer | None:
    answer = Answer(question)
    if question.kind == QuestionKind.NUMBER:
        answer.number = _number(question, raw)
        return answer if answer.number is not None else None
    if question.kind == QuestionKind.TEXT:
        answer.text = _text(question, raw)
        return answer if answer.text else None
    answer.choices = _choices(question, raw)
    return answer if answer.choices else None


def clean_answers(
    questions: list[FormQuestion], raw: dict, *, complete: bool
) -> tuple[dict[int, Answer], dict[str, str]]:
    """The answers to keep (question id -> Answer) and the errors (field
    name -> message). ``complete``: a submission, whose required questions
    must be answered; a draft need not answer them, but what it answers
    must be valid."""
    raw = {int(key): value for key, value in raw.items()}
    unknown = sorted(set(raw) - {q.pk for q in questions})
    errors: dict[str, str] = {}
    for question_id in unknown:
        errors[f"q{question_id}"] = str(UNKNOWN_QUESTION % {"id": question_id})
    answers: dict[int, Answer] = {}
    for question in questions:  # in the form's order: a condition looks back
        if not _shown(question, answers):
            continue
        try:
            answer = _answer(question, raw.get(question.pk))
        except ValidationError as error:
            errors[field_name(question)] = " ".join(str(m) for m in error.messages)
            continue
        if answer is not None:
            answers[question.pk] = answer
        elif complete and question.required:
            errors[field_name(question)] = str(REQUIRED)
    return answers, errors
