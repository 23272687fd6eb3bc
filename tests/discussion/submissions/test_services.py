"""Responding to a consultation's form: drafts, submissions, changes and
their history, what is refused, and responses entered by staff."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consult.accounts.audit import AuditEntry
from consult.accounts.models import Role
from discussion.submissions import services
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    FormResponseRevision,
    Publication,
    ResponseStatus,
)
from discussion.submissions.services import Entry, Respondent
from proposals.models import Status

ORGANISATION = Respondent(
    kind="organisation",
    organisation_name="Parents for Safe Streets",
    organisation_type="community",
    official_view=True,
    publication=Publication.ANONYMOUS,
)
INDIVIDUAL = Respondent(kind="individual", publication=Publication.NAMED)


def full_answers(q, *, agree="No"):
    keys = {label: key for key, label in q["agree"].choices}
    travel = {label: key for key, label in q["travel"].choices}
    ranks = {label: key for key, label in q["priorities"].choices}
    return {
        q["agree"].pk: keys[agree],
        q["why_not"].pk: "Buses would be slower.",
        q["travel"].pk: [travel["By bus"], travel["On foot"]],
        q["safety"].pk: "disagree",
        q["priorities"].pk: [ranks["Crossings"], ranks["Speed limit"], ranks["Cameras"]],
        q["children"].pk: "2",
        q["comments"].pk: "Thank you.",
    }


def test_a_submission_stores_every_kind_of_answer(make_user, form_consultation, questions):
    citizen = make_user(display_name="Mei Lin")
    response = services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=ORGANISATION,
        answers=full_answers(questions),
        submit=True,
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert (response.organisation_name, response.official_view) == (
        "Parents for Safe Streets",
        True,
    )
    assert response.publication == Publication.ANONYMOUS and response.channel == "web"
    stored = {a.question_id: a for a in response.answers.all()}
    travel = {label: key for key, label in questions["travel"].choices}
    # Multiple choice is stored in the question's order; a ranking in the respondent's.
    assert stored[questions["travel"].pk].choices == [travel["On foot"], travel["By bus"]]
    assert [
        questions["priorities"].label_of(k) for k in stored[questions["priorities"].pk].choices
    ] == [
        "Crossings",
        "Speed limit",
        "Cameras",
    ]
    assert stored[questions["children"].pk].number == Decimal("2")
    assert stored[questions["why_not"].pk].text == "Buses would be slower."
    assert response.revisions.get().number == 1


def test_the_answer_to_a_hidden_condition_is_dropped(make_user, form_consultation, questions):
    response = services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=INDIVIDUAL,
        answers=full_answers(questions, agree="Yes"),
        submit=True,
    )
    assert not response.answers.filter(question=questions["why_not"]).exists()


def test_a_draft_needs_no_required_answer_and_a_submission_does(
    make_user, form_consultation, questions
):
    citizen = make_user()
    draft = services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=Respondent(),
        answers={questions["comments"].pk: "Half done"},
        submit=False,
    )
    assert draft.status == ResponseStatus.DRAFT and not draft.revisions.exists()
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=citizen,
            proposal=form_consultation,
            respondent=Respondent(),
            answers={questions["comments"].pk: "Half done"},
            submit=True,
        )
    errors = refused.value.message_dict
    assert errors[f"q{questions['agree'].pk}"] == ["Answer this question."]
    assert "publication" in errors and "__all__" in errors
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT  # nothing written by the refusal
    assert draft.answers.get().text == "Half done"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"agree": "c99"}, "is not one of this question's answers"),
        ({"agree": ["c1", "c2"]}, "Pick only one answer."),
        ({"children": "lots"}, "Enter a number"),
        ({"children": "21"}, "at most 20"),
        ({"children": "NaN"}, "Enter a number"),
        ({"why_not": "x" * 501}, "at most 500 characters"),
        ({"why_not": "bad\x00byte"}, "NUL"),
        ({"priorities": ["c1", "c1"]}, "place of its own"),
    ],
)
def test_bad_answers_are_refused_with_their_reason(
    make_user, form_consultation, questions, bad, message
):
    answers = full_answers(questions)
    for name, value in bad.items():
        answers[questions[name].pk] = value
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=INDIVIDUAL,
            answers=answers,
            submit=True,
        )
    field = f"q{questions[next(iter(bad))].pk}"
    assert message in refused.value.message_dict[field][0]
    assert not FormResponse.objects.exists() and not FormAnswer.objects.exists()


def test_a_question_not_on_the_form_is_refused(make_user, form_consultation, questions):
    answers = full_answers(questions) | {999_999: "x"}
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=INDIVIDUAL,
            answers=answers,
            submit=True,
        )
    assert "q999999" in refused.value.message_dict


def test_an_organisation_needs_its_name_and_type(make_user, form_consultation, questions):
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=Respondent(kind="organisation", publication=Publication.WITHHELD),
            answers=full_answers(questions),
            submit=True,
        )
    assert set(refused.value.message_dict) >= {"organisation_name", "organisation_type"}


def test_changing_a_response_keeps_its_history_and_one_response(
    make_user, form_consultation, questions
):
    citizen = make_user()
    first = services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
        submit=True,
    )
    second = services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=INDIVIDUAL,
        answers=full_answers(questions, agree="Yes"),
        submit=True,
    )
    assert first.pk == second.pk and FormResponse.objects.count() == 1
    assert second.revision == 2
    old, new = FormResponseRevision.objects.filter(response=second).order_by("number")
    agree = str(questions["agree"].pk)
    assert [a["choices"] for a in old.snapshot["answers"] if str(a["question"]) == agree] == [
        ["c2"]
    ]
    assert [a["choices"] for a in new.snapshot["answers"] if str(a["question"]) == agree] == [
        ["c1"]
    ]
    with pytest.raises(ValidationError, match="already submitted"):
        services.response_save(
            actor=citizen,
            proposal=form_consultation,
            respondent=INDIVIDUAL,
            answers={},
            submit=False,
        )


def test_a_closed_consultation_takes_no_response(make_user, form_consultation, questions):
    form_consultation.status = Status.CLOSED
    form_consultation.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="not taking responses"):
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=INDIVIDUAL,
            answers=full_answers(questions),
            submit=True,
        )
    assert not FormResponse.objects.exists()


def test_an_anonymous_visitor_cannot_respond(form_consultation, questions):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.response_save(
            actor=AnonymousUser(),
            proposal=form_consultation,
            respondent=INDIVIDUAL,
            answers={},
            submit=False,
        )


def test_the_receipt_is_a_copy_of_the_submission(
    make_user, form_consultation, questions, django_capture_on_commit_callbacks
):
    citizen = make_user(display_name="Mei Lin")
    with django_capture_on_commit_callbacks(execute=True):
        services.response_save(
            actor=citizen,
            proposal=form_consultation,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
        )
    [message] = mail.outbox
    assert message.to == [citizen.email]
    assert "Safer streets near schools" in message.subject
    assert "Parents for Safe Streets" in message.body
    assert "Buses would be slower." in message.body
    assert "1. Crossings\n2. Speed limit\n3. Cameras" in message.body
    assert "Publish my response anonymously" in message.body


def test_the_first_submission_freezes_the_published_questions(
    make_user, official, form_consultation, questions
):
    from proposals.questionnaire.services import QuestionInput, question_update

    change = QuestionInput(
        kind="single", prompt="Do you agree?", choices=["Yes", "No", "Don't know"], required=True
    )
    question_update(actor=official, question=questions["agree"], data=change)  # before: allowed
    services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
        submit=True,
    )
    questions["agree"].refresh_from_db()
    with pytest.raises(ValidationError, match="already answered"):
        question_update(
            actor=official,
            question=questions["agree"],
            data=QuestionInput(kind="single", prompt="Do you agree?", choices=["Yes", "No"]),
        )
    questions["agree"].refresh_from_db()
    assert len(questions["agree"].choices) == 3


# --- responses entered by staff --------------------------------------------------------------


@pytest.fixture
def clerk(make_user, grant, tree):
    return grant(make_user(display_name="Clerk"), tree.ministry, Role.CLERK)


LETTER = Entry(channel="post", received_on=datetime.date(2026, 12, 1), respondent_name="A. Writer")


def test_a_clerk_enters_a_letter(clerk, form_consultation, questions):
    answers = full_answers(questions)
    del answers[questions["safety"].pk]  # a letter answers what it answers
    response = services.response_enter(
        actor=clerk,
        proposal=form_consultation,
        entry=LETTER,
        respondent=INDIVIDUAL,
        answers=answers,
    )
    assert (response.channel, response.entered_by, response.respondent) == ("post", clerk, None)
    assert response.is_submitted and response.respondent_name == "A. Writer"
    entry = AuditEntry.objects.get(action="response.entered")
    assert entry.actor == clerk and entry.after["channel"] == "post"


def test_a_clerk_of_another_department_cannot_enter(
    make_user, grant, tree, form_consultation, questions
):
    outsider = grant(make_user(), tree.other_ministry, Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.response_enter(
            actor=outsider,
            proposal=form_consultation,
            entry=LETTER,
            respondent=INDIVIDUAL,
            answers=full_answers(questions),
        )
    citizen = make_user()
    with pytest.raises(PermissionDenied):
        services.response_enter(
            actor=citizen,
            proposal=form_consultation,
            entry=LETTER,
            respondent=INDIVIDUAL,
            answers=full_answers(questions),
        )
    assert not FormResponse.objects.exists()


@pytest.mark.parametrize(
    "entry, field",
    [
        (Entry(channel="web", received_on=datetime.date(2026, 12, 1)), "channel"),
        (Entry(channel="post", received_on=None), "received_on"),
        (
            Entry(channel="post", received_on=timezone.localdate() + datetime.timedelta(days=2)),
            "received_on",
        ),
        (
            Entry(
                channel="email", received_on=datetime.date(2026, 12, 1), respondent_name="x" * 201
            ),
            "respondent_name",
        ),
    ],
)
def test_a_bad_entry_is_refused(clerk, form_consultation, questions, entry, field):
    with pytest.raises(ValidationError) as refused:
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=entry,
            respondent=INDIVIDUAL,
            answers=full_answers(questions),
        )
    assert field in refused.value.message_dict
    assert not FormResponse.objects.exists()


def test_entries_are_taken_after_the_close_until_the_report(clerk, form_consultation, questions):
    form_consultation.status = Status.CLOSED
    form_consultation.save(update_fields=["status"])
    services.response_enter(
        actor=clerk,
        proposal=form_consultation,
        entry=LETTER,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
    )
    form_consultation.status = Status.REPORT_PUBLISHED
    form_consultation.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="before its report is published"):
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=LETTER,
            respondent=INDIVIDUAL,
            answers=full_answers(questions),
        )
    assert FormResponse.objects.count() == 1


# --- documents -------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_an_organisation_attaches_a_document(
    make_user, form_consultation, questions, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=ORGANISATION,
        answers=full_answers(questions),
        submit=True,
        uploads=[upload("Our submission.pdf", PDF_BYTES)],
    )
    [document] = response.documents.all()
    assert (document.original_name, document.content_type, document.is_scan) == (
        "Our submission.pdf",
        "application/pdf",
        False,
    )
    assert document.file.read() == PDF_BYTES and "Our submission" not in document.file.name


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("photo.pdf", PNG_BYTES, "is not a PDF, OpenDocument text or Word document"),
        ("notes.pdf", b"just some text", "is not a PDF"),
        ("report.docx", PDF_BYTES, "but its name ends in .docx"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_disguised_or_empty_document_is_refused_and_nothing_is_written(
    make_user, form_consultation, questions, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
            uploads=[upload(name, content)],
        )
    assert message in refused.value.message_dict["documents"][0]
    assert not FormResponse.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_an_oversized_document_is_refused(
    make_user, form_consultation, questions, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.CONSULT_RESPONSE_DOCUMENT_MAX_BYTES = 40
    with pytest.raises(ValidationError, match="is 145 B; the limit is 40 B"):
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
            uploads=[upload("big.pdf", PDF_BYTES + b" " * 100)],
        )
    assert not FormResponse.objects.exists()


def test_a_clerk_attaches_a_scan_of_the_letter(
    clerk, form_consultation, questions, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = services.response_enter(
        actor=clerk,
        proposal=form_consultation,
        entry=LETTER,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
        scans=[upload("letter.png", PNG_BYTES)],
    )
    assert response.documents.get().is_scan
