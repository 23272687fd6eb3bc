"""Every write to form responses: a respondent's draft, submission and
change; a response entered by staff from outside the website.

Nothing is written unless everything checks: a refusal raises
ValidationError (per field where it has one) or PermissionDenied, and the
transaction leaves no half-written response.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, render_markdown
from discussion.access import fresh_actor
from discussion.moderation import premoderation
from discussion.submissions import documents, receipts
from discussion.submissions.answers import Answer, clean_answers, plain
from discussion.submissions.models import (
    OFFLINE_CHANNELS,
    ORGANISATION_NAME_MAX_LENGTH,
    RESPONDENT_NAME_MAX_LENGTH,
    FormAnswer,
    FormResponse,
    FormResponseRevision,
    OrganisationType,
    Publication,
    RespondentKind,
    ResponseStatus,
)
from proposals.models import Proposal, Status
from proposals.questionnaire import selectors as questionnaire_selectors
from proposals.questionnaire import services as questionnaire
from proposals.questionnaire.models import FormQuestion, QuestionKind
from proposals.services import participation

NOT_OPEN = _("This consultation is not taking responses: it is %(status)s.")
NO_FORM = _("This consultation has no response form.")
ALREADY_SUBMITTED = _(
    "You have already submitted your response. Change it and submit again to replace it."
)
KIND_UNKNOWN = _("Say whether you are responding as an individual or for an organisation.")
ORGANISATION_NAME_REQUIRED = _("Give the name of the organisation.")
ORGANISATION_NAME_TOO_LONG = _("The organisation's name can be at most %(limit)d characters.")
ORGANISATION_TYPE_REQUIRED = _("Choose the type of organisation.")
PUBLICATION_REQUIRED = _("Choose whether and how we may publish your response.")
NOT_ENTRY_STAFF = _(
    "Only officials and data entry clerks of the department that owns this consultation "
    "can enter responses for it."
)
CHANNEL_UNKNOWN = _("Choose how the response arrived: post, email, phone or meeting.")
RECEIVED_REQUIRED = _("Give the date the response was received.")
RECEIVED_FUTURE = _("The date received cannot be in the future.")
NOT_TAKING_ENTRIES = _(
    "Responses can be entered only while the consultation is open or closed, "
    "before its report is published."
)
NAME_TOO_LONG = _("The name can be at most %(limit)d characters.")
FORM_ERRORS = _("Some answers need your attention: see the messages by each question.")

ORGANISATION_NAME = TextRule(
    "organisation_name",
    ORGANISATION_NAME_MAX_LENGTH,
    ORGANISATION_NAME_TOO_LONG,
    required=ORGANISATION_NAME_REQUIRED,
    one_line=True,
)
RESPONDENT_NAME = TextRule(
    "respondent_name", RESPONDENT_NAME_MAX_LENGTH, NAME_TOO_LONG, one_line=True
)


@dataclass
class Respondent:
    """Who responds and what they allow: as the form's first part gives it."""

    kind: str = RespondentKind.INDIVIDUAL
    organisation_name: str = ""
    organisation_type: str = ""
    official_view: bool = False
    publication: str = ""


@dataclass
class Entry:
    """What staff record of a response that arrived outside the website."""

    channel: str
    received_on: datetime.date | None
    respondent_name: str = ""


def published_questions(proposal: Proposal) -> list[FormQuestion]:
    return list(questionnaire_selectors.published_questions(proposal))


def _respondent(data: Respondent, *, complete: bool) -> dict:
    errors: dict[str, ValidationError] = {}
    fields = {"official_view": False, "organisation_name": "", "organisation_type": ""}
    if data.kind not in RespondentKind.values:
        errors["respondent_kind"] = ValidationError(KIND_UNKNOWN)
    fields["respondent_kind"] = data.kind if data.kind in RespondentKind.values else ""
    if data.kind == RespondentKind.ORGANISATION:
        try:
            fields["organisation_name"] = ORGANISATION_NAME.clean(data.organisation_name)
        except ValidationError as error:
            errors.update(error.error_dict)
        if data.organisation_type in OrganisationType.values:
            fields["organisation_type"] = data.organisation_type
        else:
            errors["organisation_type"] = ValidationError(ORGANISATION_TYPE_REQUIRED)
        fields["official_view"] = bool(data.official_view)
    if data.publication in Publication.values:
        fields["publication"] = data.publication
    else:
        errors["publication"] = ValidationError(PUBLICATION_REQUIRED)
    if errors and complete:
        raise ValidationError(errors)
    # A draft keeps what is valid; what is not waits for the submission.
    return {key: value for key, value in fields.items() if value != "" or key.startswith("org")}


def _checked(
    questions: list[FormQuestion],
    raw: dict,
    respondent: Respondent,
    *,
    complete: bool,
    entered: bool = False,
) -> tuple[dict, dict[int, Answer]]:
    """Everything checked before anything is written: one ValidationError
    holding every field's message. A submission (``complete``) must answer
    the required questions, except one entered from a letter or a call
    (``entered``), which records what the respondent answered."""
    errors: dict[str, ValidationError] = {}
    try:
        fields = _respondent(respondent, complete=complete)
    except ValidationError as error:
        fields, errors = {}, dict(error.error_dict)
    answers, answer_errors = clean_answers(questions, raw, complete=complete and not entered)
    errors.update({key: ValidationError(message) for key, message in answer_errors.items()})
    if errors:
        errors["__all__"] = ValidationError(FORM_ERRORS)
        raise ValidationError(errors)
    return fields, answers


def _all_checked(
    questions, answers: dict, respondent: Respondent, uploads, *, already: int, complete: bool
):
    """The respondent, the answers and the documents, each refusal kept so
    that the person sees every message at once."""
    errors: dict = {}
    fields, cleaned, checked = {}, {}, []
    try:
        fields, cleaned = _checked(questions, answers, respondent, complete=complete)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        checked = documents.check_uploads(list(uploads), already=already)
    except ValidationError as error:
        errors.update(error.error_dict)
        errors["__all__"] = [ValidationError(FORM_ERRORS)]
    if errors:
        raise ValidationError(errors)
    return fields, cleaned, checked


def _write_answers(
    response: FormResponse, answers: dict[int, Answer], *, held: list[dict], now
) -> None:
    """The answers replace the response's old ones. A text answer whose
    words did not change keeps its moderation (hidden stays hidden)."""
    old = {a.question_id: a for a in response.answers.all()}
    rows = []
    for question_id, answer in answers.items():
        before = old.get(question_id)
        row = FormAnswer(
            response=response,
            question_id=question_id,
            choices=answer.choices,
            number=answer.number,
            text=answer.text,
            text_html=render_markdown(answer.text) if answer.text else "",
        )
        if answer.question.kind == QuestionKind.TEXT and answer.text:
            if before is not None and before.text == answer.text:
                row.held_at, row.held_reasons = before.held_at, before.held_reasons
                row.hidden_at, row.hidden_reason = before.hidden_at, before.hidden_reason
                row.hidden_category = before.hidden_category
                row.hidden_by_id = before.hidden_by_id
            elif held:
                row.held_at, row.held_reasons = now, held
        rows.append(row)
    response.answers.all().delete()
    FormAnswer.objects.bulk_create(rows)


def _held(author: User, proposal: Proposal, answers: dict[int, Answer]) -> list[dict]:
    words = "\n\n".join(a.text for a in answers.values() if a.text)
    if not words:
        return []
    return premoderation.hold_reasons(author=author, proposal=proposal, body=words)


def snapshot(response: FormResponse) -> dict:
    """What the response says, as its history and its receipt keep it."""
    return {
        "respondent_kind": response.respondent_kind,
        "organisation_name": response.organisation_name,
        "organisation_type": response.organisation_type,
        "official_view": response.official_view,
        "publication": response.publication,
        "channel": response.channel,
        "answers": [
            {
                "question": a.question_id,
                "choices": a.choices,
                "number": None if a.number is None else plain(a.number),
                "text": a.text,
            }
            for a in response.answers.order_by("question__order", "question_id")
        ],
    }


def _open_for_responses(proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.archived or proposal.effective_status() != Status.OPEN:
        raise ValidationError(
            NOT_OPEN, params={"status": proposal.get_effective_status_display().lower()}
        )
    return proposal


@transaction.atomic
def response_save(
    *,
    actor: User,
    proposal: Proposal,
    respondent: Respondent,
    answers: dict,
    submit: bool,
    uploads: list[UploadedFile] = (),
) -> FormResponse:
    """A signed-in person's response: saved as a draft (``submit`` False,
    only before the first submission) or submitted. Submitting again before
    the close replaces the response and keeps the old one in its history.
    ``uploads`` are documents added to the response's own."""
    actor = fresh_actor(actor)
    proposal = _open_for_responses(proposal.pk)
    questions = published_questions(proposal)
    if not questions:
        raise ValidationError(NO_FORM)
    response = (
        FormResponse.objects.select_for_update().filter(proposal=proposal, respondent=actor).first()
    )
    if response is not None and response.is_submitted and not submit:
        raise ValidationError(ALREADY_SUBMITTED)
    already = response.documents.count() if response is not None else 0
    fields, cleaned, checked = _all_checked(
        questions, answers, respondent, uploads, already=already, complete=submit
    )
    now = timezone.now()
    if response is None:
        response = FormResponse(proposal=proposal, respondent=actor, created_at=now)
    for key, value in fields.items():
        setattr(response, key, value)
    response.respondent_name = actor.display_name[:RESPONDENT_NAME_MAX_LENGTH]
    response.version_id = proposal.current_version_id
    response.updated_at = now
    if submit:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = response.submitted_at or now
        response.revision += 1
    response.save()
    _write_answers(response, cleaned, held=_held(actor, proposal, cleaned), now=now)
    documents.store(response, checked, scan=False)
    if submit:
        _submitted(response, now)
        participation.participant_add(proposal_id=proposal.pk, user_id=actor.pk)
        receipts.send_on_commit(response)
    return response


def _submitted(response: FormResponse, now) -> None:
    FormResponseRevision.objects.create(
        response=response, number=response.revision, snapshot=snapshot(response), submitted_at=now
    )
    questionnaire.questions_freeze(response.proposal_id)


def can_enter_for(user: User, proposal: Proposal) -> bool:
    return roles.is_official_for(user, proposal.department) or roles.is_clerk_for(
        user, proposal.department
    )


def _entry(entry: Entry) -> dict:
    errors: dict[str, ValidationError] = {}
    if entry.channel not in OFFLINE_CHANNELS:
        errors["channel"] = ValidationError(CHANNEL_UNKNOWN)
    if entry.received_on is None:
        errors["received_on"] = ValidationError(RECEIVED_REQUIRED)
    elif entry.received_on > timezone.localdate():
        errors["received_on"] = ValidationError(RECEIVED_FUTURE)
    try:
        name = RESPONDENT_NAME.clean(entry.respondent_name)
    except ValidationError as error:
        errors.update(error.error_dict)
        name = ""
    if errors:
        raise ValidationError(errors)
    return {"channel": entry.channel, "received_on": entry.received_on, "respondent_name": name}


def _entry_checked(questions, entry: Entry, respondent: Respondent, answers: dict, scans):
    """The entry, the respondent, the answers and the scans: every message at once."""
    errors: dict[str, ValidationError] = {}
    entered, fields, cleaned, checked = {}, {}, {}, []
    try:
        entered = _entry(entry)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        fields, cleaned = _checked(questions, answers, respondent, complete=True, entered=True)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        checked = documents.check_uploads(list(scans), scan=True, field="scans")
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        errors["__all__"] = ValidationError(FORM_ERRORS)
        raise ValidationError(errors)
    return entered, fields, cleaned, checked


@transaction.atomic
def response_enter(
    *,
    actor: User,
    proposal: Proposal,
    entry: Entry,
    respondent: Respondent,
    answers: dict,
    scans: list[UploadedFile] = (),
) -> FormResponse:
    """A response received by post, email, phone or at a meeting, entered by
    an official or a data entry clerk of the consultation's department. The
    answers are checked as a submission's, except that a letter need not
    answer every required question."""
    proposal = Proposal.objects.select_for_update().select_related("department").get(pk=proposal.pk)
    if not can_enter_for(actor, proposal):
        raise PermissionDenied(NOT_ENTRY_STAFF)
    if proposal.archived or proposal.effective_status() not in (Status.OPEN, Status.CLOSED):
        raise ValidationError(NOT_TAKING_ENTRIES)
    questions = published_questions(proposal)
    if not questions:
        raise ValidationError(NO_FORM)
    entered, fields, cleaned, checked = _entry_checked(questions, entry, respondent, answers, scans)
    now = timezone.now()
    response = FormResponse.objects.create(
        proposal=proposal,
        **fields,
        **entered,
        entered_by=actor,
        status=ResponseStatus.SUBMITTED,
        version_id=proposal.current_version_id,
        revision=1,
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    _write_answers(response, cleaned, held=[], now=now)
    documents.store(response, checked, scan=True)
    _submitted(response, now)
    participation.response_received_offline(proposal_id=proposal.pk)
    audit_record(
        actor=actor,
        action="response.entered",
        target=response,
        department=proposal.department,
        after={
            "proposal": proposal.pk,
            "channel": response.channel,
            "received_on": str(response.received_on),
        },
    )
    return response
