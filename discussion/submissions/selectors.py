"""Reads of the responses to a consultation's form that leave the platform."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from discussion.submissions.answers import plain
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    Publication,
    RespondentKind,
    ResponseStatus,
)
from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion, QuestionKind
from proposals.questionnaire.selectors import published_questions


def removed_words(reason: str) -> str:
    """What stands in the place of a free-text answer a moderator hid."""
    return _("[removed by a moderator: %(reason)s]") % {"reason": reason or "—"}


def published_name(response: dict) -> str:
    """The name published with a "named" response: the organisation's for an
    organisation, the person's otherwise; "" for every other choice."""
    if response["publication"] != Publication.NAMED:
        return ""
    if response["respondent_kind"] == RespondentKind.ORGANISATION:
        return response["organisation_name"]
    return response["respondent_name"]


def submitted_responses(proposal: Proposal | int) -> QuerySet[FormResponse]:
    """Every submitted response, published or not: what every figure counts."""
    return FormResponse.objects.filter(proposal=proposal, status=ResponseStatus.SUBMITTED)


def published_responses(proposal: Proposal | int) -> QuerySet[FormResponse]:
    """The submitted responses their respondents allowed to be published."""
    return submitted_responses(proposal).exclude(publication=Publication.WITHHELD)


def published_form_questions(proposal: Proposal | int) -> list[FormQuestion]:
    """The questions respondents were shown, in the form's order."""
    return list(published_questions(proposal))


def _answer(answer: dict, question: FormQuestion) -> dict:
    """One answer as data anyone may read: the choices picked (keys and labels,
    a ranking in the respondent's order), the number, or the words."""
    keys = [str(key) for key in answer["choices"] or []]
    if answer["hidden_at"] is not None:
        words = removed_words(answer["hidden_reason"])
    elif answer["held_at"] is not None:
        words = None
    else:
        words = answer["text"] or None
    return {
        "kind": question.kind,
        "choices": keys,
        "labels": [question.label_of(key) for key in keys],
        "number": plain(answer["number"]) if answer["number"] is not None else None,
        "text": words if question.kind == QuestionKind.TEXT else None,
    }


def published_form_responses(proposal: Proposal | int) -> list[dict]:
    """The responses to a consultation's form that may be published, as their
    authors chose, in the order they were submitted.

    The rule, the same for the report's download, the open data and the API:
    - only submitted responses (a draft is nobody's response yet);
    - a response whose publication is "withheld" is never here (it still
      counts in every figure, elsewhere);
    - "named": with the name the respondent gave (the organisation's name for
      an organisation, the person's otherwise); "anonymous": no name at all,
      neither the person's nor the organisation's; the respondent kind and
      the organisation type are shown for both;
    - a free-text answer a moderator hid gives "[removed by a moderator:
      <reason>]" in place of its words; one held for review is left out
      (text None) until a moderator lets it through.

    Each row: response, publication, name, respondent_kind, organisation_type,
    official_view, channel, received_on (ISO date or None), submitted_at (ISO),
    and answers: {question id: {kind, choices, labels, number, text}}, one for
    each question the respondent answered. Three queries, whatever the size.
    """
    questions = {question.pk: question for question in published_form_questions(proposal)}
    responses = list(
        published_responses(proposal)
        .order_by("submitted_at", "pk")
        .values(
            "pk",
            "publication",
            "respondent_name",
            "respondent_kind",
            "organisation_name",
            "organisation_type",
            "official_view",
            "channel",
            "received_on",
            "submitted_at",
        )
    )
    answers: dict[int, dict] = {row["pk"]: {} for row in responses}
    found = FormAnswer.objects.filter(
        response__in=list(answers), question__in=list(questions)
    ).values(
        "response_id",
        "question_id",
        "choices",
        "number",
        "text",
        "held_at",
        "hidden_at",
        "hidden_reason",
    )
    for answer in found.order_by("response_id", "question_id"):
        question = questions[answer["question_id"]]
        answers[answer["response_id"]][question.pk] = _answer(answer, question)
    return [_row(response, answers[response["pk"]]) for response in responses]


def _row(response: dict, answers: dict) -> dict:
    organisation = response["respondent_kind"] == RespondentKind.ORGANISATION
    return {
        "response": response["pk"],
        "publication": response["publication"],
        "name": published_name(response),
        "respondent_kind": response["respondent_kind"],
        "organisation_type": response["organisation_type"] if organisation else "",
        "official_view": bool(response["official_view"]) if organisation else False,
        "channel": response["channel"],
        "received_on": response["received_on"].isoformat() if response["received_on"] else None,
        "submitted_at": (
            response["submitted_at"].isoformat() if response["submitted_at"] else None
        ),
        "answers": answers,
    }
