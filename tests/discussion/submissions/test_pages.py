"""The response form without JavaScript: a person's form page (draft, submit,
change and resubmit) and the staff entry page, through the Django test
client; every bad input refused with a clear message, what was typed kept,
nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consult.accounts.models import Role
from discussion.submissions.models import (
    FormResponse,
    FormResponseRevision,
    ResponseDocument,
)
from proposals.models import Status

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_url(proposal) -> str:
    return reverse("discussion:form", args=[proposal.slug])


def entry_url(proposal) -> str:
    return reverse("discussion:form-entry", args=[proposal.slug])


def key_of(question, label: str) -> str:
    return {text: key for key, text in question.choice_pairs()}[label]


def rank(question, label: str) -> str:
    return f"q{question.pk}-rank-{key_of(question, label)}"


def form_data(q, *, action: str = "submit", **changes) -> dict:
    """Every answer as the page sends it: an organisation, published anonymously."""
    data = {
        "respondent_kind": "organisation",
        "organisation_name": "Parents for Safe Streets",
        "organisation_type": "community",
        "official_view": "1",
        "publication": "anonymous",
        f"q{q['agree'].pk}": key_of(q["agree"], "No"),
        f"q{q['why_not'].pk}": "Buses would be slower.",
        f"q{q['travel'].pk}": [key_of(q["travel"], "By bus"), key_of(q["travel"], "On foot")],
        f"q{q['safety'].pk}": "disagree",
        rank(q["priorities"], "Crossings"): "1",
        rank(q["priorities"], "Speed limit"): "2",
        rank(q["priorities"], "Cameras"): "",
        f"q{q['children'].pk}": "2",
        f"q{q['comments'].pk}": "Thank you.",
        "action": action,
    }
    data.update(changes)
    return data


@pytest.fixture
def citizen(make_user):
    return make_user("mei@example.org", display_name="Mei Lin")


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_form_shows_every_question_in_a_fieldset_with_its_legend(
    citizen_client, form_consultation, questions
):
    page = citizen_client.get(form_url(form_consultation))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Are you responding as an individual or on behalf of an organisation?" in html
    assert html.count("<fieldset") == 7 + 2  # the questions, the kind and the publication
    assert f'<legend id="q{questions["agree"].pk}-legend">' in html
    assert "(required)" in html and "(optional)" in html
    assert 'inputmode="decimal"' in html and 'type="number"' not in html
    assert 'maxlength="500"' in html and "Up to 500 characters." in html
    assert "Answer this if you answered “No” to question 1." in html
    # The ranking: a place for each choice, or none.
    assert html.count(f'name="q{questions["priorities"].pk}-rank-') == 3
    assert "A response that is not published still counts" in html
    assert "PDF, OpenDocument text (.odt) or Word (.docx)" in html
    assert reverse("discussion:form-conditions", args=[form_consultation.slug]) in html


def test_the_conditions_stylesheet_hides_why_not_until_no_is_ticked(
    client, form_consultation, questions
):
    css = client.get(reverse("discussion:form-conditions", args=[form_consultation.slug]))
    no = key_of(questions["agree"], "No")
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode().strip() == (
        f".response-form:not(:has(#q{questions['agree'].pk}-{no}:checked)) "
        f"#q{questions['why_not'].pk}-field {{ display: none; }}"
    )


def test_an_organisation_submits_with_a_document_published_anonymously(
    citizen_client, citizen, form_consultation, questions, media, django_capture_on_commit_callbacks
):
    data = form_data(questions)
    data["documents"] = SimpleUploadedFile("Our submission.pdf", PDF_BYTES)
    with django_capture_on_commit_callbacks(execute=True):
        page = citizen_client.post(form_url(form_consultation), data)
    assert page.status_code == 302
    response = FormResponse.objects.get(proposal=form_consultation, respondent=citizen)
    assert response.is_submitted and response.publication == "anonymous"
    assert (response.organisation_name, response.official_view) == (
        "Parents for Safe Streets",
        True,
    )
    stored = {a.question_id: a.choices for a in response.answers.all()}
    priorities = questions["priorities"]
    assert stored[priorities.pk] == [
        key_of(priorities, "Crossings"),
        key_of(priorities, "Speed limit"),
    ]
    assert response.documents.get().original_name == "Our submission.pdf"
    shown = citizen_client.get(page["Location"]).content.decode()
    assert "Response submitted (submission 1) — a copy has been emailed to you." in shown
    assert "You have submitted once" in shown and "Our submission.pdf" in shown
    [receipt] = mail.outbox
    assert receipt.to == ["mei@example.org"]


def test_a_draft_is_saved_then_submitted_then_changed_and_resubmitted(
    citizen_client, citizen, form_consultation, questions
):
    url = form_url(form_consultation)
    draft = {"respondent_kind": "individual", "action": "draft"}
    draft[f"q{questions['comments'].pk}"] = "First thoughts"
    draft[rank(questions["priorities"], "Cameras")] = "1"
    page = citizen_client.post(url, draft, follow=True)
    html = page.content.decode()
    assert "Draft saved." in html and "a draft, saved on" in html
    assert "First thoughts</textarea>" in html
    cameras = rank(questions["priorities"], "Cameras")
    assert f'id="{cameras}"' in html and '<option value="1" selected>' in html
    assert FormResponse.objects.get(respondent=citizen).status == "draft"

    citizen_client.post(url, form_data(questions))
    citizen_client.post(url, form_data(questions, **{f"q{questions['comments'].pk}": "Changed"}))
    response = FormResponse.objects.get(proposal=form_consultation, respondent=citizen)
    assert FormResponse.objects.filter(proposal=form_consultation).count() == 1
    assert response.revision == 2
    assert response.answers.get(question=questions["comments"]).text == "Changed"
    assert FormResponseRevision.objects.filter(response=response).count() == 2
    html = citizen_client.get(url).content.decode()
    assert "You have submitted 2 times; last on" in html
    assert "Submit the changed response" in html and "Save draft" not in html


def test_a_forged_choice_is_refused_with_everything_typed_kept(
    citizen_client, form_consultation, questions
):
    data = form_data(questions, **{f"q{questions['agree'].pk}": "c99"})
    page = citizen_client.post(form_url(form_consultation), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert "There is a problem: nothing was saved" in html
    assert "“c99” is not one of this question&#x27;s answers." in html
    assert f'href="#q{questions["agree"].pk}-' in html  # the summary links to the question
    assert 'aria-invalid="true"' in html
    assert (
        'value="Parents for Safe Streets"' in html and "Buses would be slower.</textarea>" in html
    )
    travel = questions["travel"]
    assert f'id="q{travel.pk}-{key_of(travel, "By bus")}" value' in html
    assert f'value="{key_of(travel, "By bus")}" checked' in html
    assert '<option value="2" selected>' in html
    assert not FormResponse.objects.exists()


def test_a_missing_required_answer_is_refused_and_linked_to_its_question(
    citizen_client, form_consultation, questions
):
    data = form_data(questions)
    del data[f"q{questions['agree'].pk}"]
    page = citizen_client.post(form_url(form_consultation), data)
    html = page.content.decode()
    assert page.status_code == 400
    agree = questions["agree"]
    link = f'<a href="#q{agree.pk}-{key_of(agree, "Yes")}">Question 1: Answer this question.</a>'
    assert link in html
    assert f'id="q{agree.pk}-error"' in html and f'aria-describedby="q{agree.pk}-error"' in html
    assert not FormResponse.objects.exists()


def test_two_choices_ranked_in_the_same_place_are_refused(
    citizen_client, form_consultation, questions
):
    data = form_data(questions, **{rank(questions["priorities"], "Cameras"): "1"})
    data[f"q{questions['children'].pk}"] = "200"
    page = citizen_client.post(form_url(form_consultation), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert "“Crossings” and “Cameras” are both number 1." in html
    assert "Enter a number of at most 20." in html  # the other questions are checked too
    assert 'value="200"' in html
    assert not FormResponse.objects.exists()


@pytest.mark.parametrize(
    "name, content, size_limit, message",
    [
        ("big.pdf", PDF_BYTES + b" " * 500, 100, "the limit is 100 B"),
        ("photo.pdf", PNG_BYTES, None, "is not a PDF, OpenDocument text or Word document"),
    ],
)
def test_an_oversized_or_disguised_document_is_refused(
    citizen_client,
    form_consultation,
    questions,
    media,
    settings,
    name,
    content,
    size_limit,
    message,
):
    if size_limit:
        settings.CONSULT_RESPONSE_DOCUMENT_MAX_BYTES = size_limit
    data = form_data(questions)
    data["documents"] = SimpleUploadedFile(name, content)
    page = citizen_client.post(form_url(form_consultation), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert message in html and 'href="#documents"' in html
    assert 'value="Parents for Safe Streets"' in html
    assert not FormResponse.objects.exists() and not ResponseDocument.objects.exists()
    assert not any(media.rglob("*.pdf"))


def test_a_closed_consultation_shows_no_form_and_takes_nothing(
    citizen_client, form_consultation, questions
):
    citizen_client.post(form_url(form_consultation), form_data(questions))
    form_consultation.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    form_consultation.save(update_fields=["closes_at"])
    page = citizen_client.get(form_url(form_consultation))
    html = page.content.decode()
    assert "This form is not taking responses: the consultation is closed." in html
    assert '<form method="post" enctype' not in html
    assert "Your response counts: you submitted it on" in html
    changed = form_data(questions, **{f"q{questions['comments'].pk}": "Too late"})
    posted = citizen_client.post(form_url(form_consultation), changed)
    assert posted.status_code == 400
    [response] = FormResponse.objects.all()
    assert response.revision == 1
    assert response.answers.get(question=questions["comments"]).text == "Thank you."


def test_a_draft_consultation_does_not_take_responses(client, official, form_consultation):
    form_consultation.status = Status.DRAFT
    form_consultation.save(update_fields=["status"])
    client.force_login(official)
    html = client.get(form_url(form_consultation)).content.decode()
    assert "This form is not taking responses: the consultation is draft." in html


def test_a_visitor_is_asked_to_sign_in_and_an_unverified_person_is_told(
    client, make_user, form_consultation, questions
):
    url = form_url(form_consultation)
    html = client.get(url).content.decode()
    assert f'href="/accounts/login/?next={url}"' in html
    assert client.post(url, form_data(questions)).status_code == 403
    client.force_login(make_user(verified=False))
    page = client.get(url)
    assert "Confirm your email address" in page.content.decode()
    assert client.post(url, form_data(questions)).status_code == 403
    assert not FormResponse.objects.exists()


@pytest.fixture
def clerk(make_user, grant, tree):
    return grant(make_user("clerk@example.org", display_name="Clerk"), tree.ministry, Role.CLERK)


def entry_data(q, **changes) -> dict:
    data = form_data(q, respondent_kind="individual", publication="withheld")
    data.update(channel="post", received_on="2026-12-01", respondent_name="A. Letter-Writer")
    data.update(changes)
    return data


def test_a_clerk_enters_a_posted_letter_with_its_scan(
    client, clerk, form_consultation, questions, media
):
    client.force_login(clerk)
    data = entry_data(questions)
    data["scans"] = SimpleUploadedFile("letter.png", PNG_BYTES)
    page = client.post(entry_url(form_consultation), data, follow=True)
    html = page.content.decode()
    received = date_format(datetime.date(2026, 12, 1), "DATE_FORMAT")
    assert f"Response entered (post, received {received})." in html
    assert "A. Letter-Writer" not in html  # an empty form for the next one
    response = FormResponse.objects.get(proposal=form_consultation)
    assert (response.channel, response.entered_by, response.respondent_name) == (
        "post",
        clerk,
        "A. Letter-Writer",
    )
    assert response.documents.get().is_scan


@pytest.mark.parametrize("who", ["citizen", "other_official"])
def test_others_cannot_enter_responses(client, make_user, grant, tree, form_consultation, who):
    person = make_user()
    if who == "other_official":
        grant(person, tree.other_ministry, Role.OFFICIAL)
    client.force_login(person)
    for page in (
        client.get(entry_url(form_consultation)),
        client.post(entry_url(form_consultation), {}),
    ):
        assert page.status_code == 403
        assert "Only officials and data entry clerks of the department" in page.content.decode()
    assert not FormResponse.objects.exists()


def test_an_entry_with_a_bad_date_keeps_what_was_typed(client, clerk, form_consultation, questions):
    client.force_login(clerk)
    page = client.post(entry_url(form_consultation), entry_data(questions, received_on="1 Dec"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "Enter the date received as a date" in html and 'href="#received_on"' in html
    assert 'value="A. Letter-Writer"' in html and 'value="1 Dec"' in html
    assert not FormResponse.objects.exists()


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_consultation_page_calls_to_respond_and_shows_my_response(
    citizen_client, form_consultation, questions
):
    html = citizen_client.get(form_consultation.get_absolute_url()).content.decode()
    assert f'href="{form_url(form_consultation)}">Respond to this consultation</a>' in html
    assert "Your response:" not in html
    citizen_client.post(form_url(form_consultation), {"action": "draft"})
    html = citizen_client.get(form_consultation.get_absolute_url()).content.decode()
    assert "Your response: draft, not yet submitted" in html
    citizen_client.post(form_url(form_consultation), form_data(questions))
    html = citizen_client.get(form_consultation.get_absolute_url()).content.decode()
    assert "Your response: submitted" in html
    assert entry_url(form_consultation) not in html  # not for a citizen


def test_a_clerk_finds_the_entry_page_from_the_consultation_page(client, clerk, form_consultation):
    client.force_login(clerk)
    html = client.get(form_consultation.get_absolute_url()).content.decode()
    assert f'href="{entry_url(form_consultation)}"' in html


def _more_questions(official, proposal, count: int) -> None:
    """`count` more questions of every kind, half of them on a new section."""
    from proposals.questionnaire.services import QuestionInput, question_add
    from proposals.services import drafts, versions

    section = drafts.section_add(actor=official, proposal=proposal, heading="More", body="text")
    kinds = ["single", "multiple", "scale", "ranking", "number", "text"]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        choices = ["One", "Two", "Three"] if kind in ("single", "multiple", "ranking") else []
        question_add(
            actor=official,
            proposal=proposal,
            data=QuestionInput(
                kind=kind,
                prompt=f"Extra question {n}",
                help_text="Help",
                choices=choices,
                text_limit=300 if kind == "text" else None,
                section_id=section.pk if n % 2 else None,
            ),
        )
    versions.version_publish(actor=official, proposal=proposal, change_note="More questions")


# Session and user, the consultation, the questions with their sections, the
# person as they are now, their response, its answers and its documents,
# whether they may enter responses for others (official, clerk), and the
# menu's role check and unread notifications.
FORM_PAGE = 12
# Session and user, the consultation, who may enter (official, clerk), the
# questions, and the menu's role check and unread notifications.
ENTRY_PAGE = 8


def test_the_form_page_costs_the_same_queries_for_7_and_40_questions(
    citizen_client, official, form_consultation, questions, django_assert_max_num_queries
):
    url = form_url(form_consultation)
    citizen_client.post(url, form_data(questions, action="draft"))
    with django_assert_max_num_queries(FORM_PAGE):
        small = citizen_client.get(url)
    assert small.content.decode().count('class="form-question form-question-') == 7
    _more_questions(official, form_consultation, 33)
    citizen_client.post(url, form_data(questions, action="draft"))
    with django_assert_max_num_queries(FORM_PAGE):
        large = citizen_client.get(url)
    html = large.content.decode()
    assert html.count('class="form-question form-question-') == 40
    assert "Section: More" in html


def test_the_form_speaks_chinese(citizen_client, form_consultation, questions):
    html = citizen_client.get(
        form_url(form_consultation), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "您是以个人身份还是代表某个组织答复？" in html
    assert "如果您对第 1 题的回答是“No”，请回答此题。" in html
    assert "最多 500 个字符。" in html and "（必答）" in html


def test_a_letter_is_entered_after_the_close_but_not_after_the_report(
    client, clerk, form_consultation, questions
):
    form_consultation.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    form_consultation.save(update_fields=["closes_at"])
    client.force_login(clerk)
    page = client.post(entry_url(form_consultation), entry_data(questions))
    assert page.status_code == 302
    assert FormResponse.objects.get(proposal=form_consultation).channel == "post"
    form_consultation.status = Status.REPORT_PUBLISHED
    form_consultation.save(update_fields=["status"])
    page = client.post(entry_url(form_consultation), entry_data(questions))
    assert page.status_code == 400
    assert "before its report is published" in page.content.decode()
    assert FormResponse.objects.filter(proposal=form_consultation).count() == 1


def test_the_entry_page_costs_the_same_queries_for_7_and_40_questions(
    client, clerk, official, form_consultation, django_assert_max_num_queries
):
    client.force_login(clerk)
    url = entry_url(form_consultation)
    with django_assert_max_num_queries(ENTRY_PAGE):
        assert client.get(url).status_code == 200
    _more_questions(official, form_consultation, 33)
    with django_assert_max_num_queries(ENTRY_PAGE):
        html = client.get(url).content.decode()
    assert html.count('class="form-question form-question-') == 40


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("travel", ["c1", "c42"], "“c42” is not one of this question&#x27;s answers."),
        ("agree", ["c1", "c2"], "Pick only one answer."),
        ("safety", "very_much", "“very_much” is not one of this question&#x27;s answers."),
        ("children", "two", "Enter a number, such as 12 or 3.5."),
        ("comments", "nul\x00here", "contains a character that is not text (NUL)"),
        ("priorities", "9", "Choose a place from the list for each answer you rank."),
    ],
)
def test_forged_or_wrong_answers_are_refused_on_their_question(
    citizen_client, form_consultation, questions, field, value, message
):
    question = questions[field]
    name = rank(question, "Cameras") if field == "priorities" else f"q{question.pk}"
    page = citizen_client.post(form_url(form_consultation), form_data(questions, **{name: value}))
    html = page.content.decode()
    assert page.status_code == 400
    assert message in html
    assert f'id="q{question.pk}-error"' in html
    assert not FormResponse.objects.exists()


def test_saving_faster_than_the_limit_is_refused_with_what_was_typed_kept(
    citizen_client, citizen, form_consultation, questions, settings
):
    settings.CONSULT_RATE_LIMITS = {"form_response": {"user": ["1/60"]}}
    url = form_url(form_consultation)
    assert citizen_client.post(url, form_data(questions)).status_code == 302
    again = form_data(questions, **{f"q{questions['comments'].pk}": "Second thoughts"})
    page = citizen_client.post(url, again)
    assert page.status_code == 429
    html = page.content.decode()
    assert "Second thoughts</textarea>" in html and "nothing was saved" in html
    assert FormResponse.objects.get(respondent=citizen).revision == 1
