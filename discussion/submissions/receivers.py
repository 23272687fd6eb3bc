"""The response form's side of the contracts in consult.accounts.signals.

"Download my data" lists a person's form responses with every answer and the
names of their documents. When the account is deleted, the responses stay
(they were contributions to a public consultation, and they still count),
but what names the person goes: their name copied onto each response, and a
response they allowed to be published with their name is published
anonymously from then on. Drafts never submitted are deleted.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.accounts.signals import PersonalRows, account_erasing, personal_data
from discussion.submissions.answers import plain
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    Publication,
    RespondentKind,
    ResponseDocument,
    ResponseStatus,
)

FORM_RESPONSES = _(
    "Your responses to consultations' response forms: who you responded as, what you allowed "
    "us to publish, when you submitted, and each answer."
)
FORM_DOCUMENTS = _("The documents you attached to your responses (their names and sizes).")


@receiver(account_erasing, dispatch_uid="discussion.submissions.erase")
def submissions_erase(sender, *, user: User, **kwargs) -> dict[str, int]:
    mine = FormResponse.objects.filter(respondent=user)
    drafts, _rows = mine.filter(status=ResponseStatus.DRAFT).delete()
    named = mine.filter(publication=Publication.NAMED, respondent_kind=RespondentKind.INDIVIDUAL)
    named.update(publication=Publication.ANONYMOUS)
    mine.update(respondent_name="")
    return {"form_drafts_deleted": drafts}


def _answer(answer: FormAnswer) -> str:
    if answer.choices:
        labels = [answer.question.label_of(key) for key in answer.choices]
        return "; ".join(labels)
    if answer.number is not None:
        return plain(answer.number)
    return answer.text


def form_responses(user: User) -> list[dict]:
    rows = []
    responses = (
        FormResponse.objects.filter(respondent=user)
        .select_related("proposal")
        .prefetch_related("answers__question")
        .order_by("pk")
    )
    for response in responses:
        rows.append(
            {
                "response": response.pk,
                "consultation": response.proposal.title,
                "status": response.status,
                "responding_as": response.respondent_kind,
                "organisation": response.organisation_name,
                "organisation_type": response.organisation_type,
                "official_view": response.official_view,
                "publication": response.publication,
                "submitted_at": response.submitted_at,
                "submissions": response.revision,
                "answers": [
                    {"question": a.question.prompt, "answer": _answer(a)}
                    for a in sorted(response.answers.all(), key=lambda a: a.question.order)
                ],
            }
        )
    return rows


def form_documents(user: User) -> list[dict]:
    return list(
        ResponseDocument.objects.filter(response__respondent=user)
        .order_by("pk")
        .values("response_id", "original_name", "content_type", "size", "uploaded_at")
    )


@receiver(personal_data, dispatch_uid="discussion.submissions.personal_data")
def submissions_personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict]]:
    return {
        "form_responses": PersonalRows(form_responses(user), about=FORM_RESPONSES),
        "form_documents": PersonalRows(form_documents(user), about=FORM_DOCUMENTS),
    }
