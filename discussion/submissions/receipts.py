"""The receipt a respondent gets by email: a copy of what they submitted."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from consult.infra.mail import email_enqueue
from consult.infra.translations import text_in
from discussion.submissions.answers import plain
from discussion.submissions.models import FormResponse


def lines(response: FormResponse) -> list[dict]:
    """Each question answered, with the answer as the respondent sees it."""
    rows = []
    answers = response.answers.select_related("question").order_by("question__order", "question_id")
    for answer in answers:
        question = answer.question
        # Its texts are in the consultation's language: no query to learn it.
        question.proposal = response.proposal
        if answer.choices:
            labels = [question.label_of(key) for key in answer.choices]
            shown = (
                "\n".join(f"{place}. {label}" for place, label in enumerate(labels, start=1))
                if question.kind == "ranking"
                else "; ".join(labels)
            )
        elif answer.number is not None:
            shown = plain(answer.number)
        else:
            shown = answer.text
        rows.append({"question": text_in(question, "prompt"), "answer": shown})
    return rows


def send_on_commit(response: FormResponse) -> None:
    """Queue the receipt once the submission is stored, in the language the
    person submitted in."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send(response.pk, language))


def _send(response_id: int, language: str) -> None:
    response = (
        FormResponse.objects.select_related("proposal", "respondent").filter(pk=response_id).first()
    )
    if response is None or response.respondent is None or not response.respondent.email:
        return
    site = settings.CONSULT_SITE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "response": response,
            "proposal": response.proposal,
            "lines": lines(response),
            "url": site + response.proposal.get_absolute_url(),
        }
        subject = render_to_string("discussion/submissions/email/receipt_subject.txt", context)
        body = render_to_string("discussion/submissions/email/receipt.txt", context)
    message = EmailMessage(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [response.respondent.email]
    )
    email_enqueue(message)
