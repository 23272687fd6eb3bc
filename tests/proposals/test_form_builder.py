"""The officials' form builder: every kind of question added, changed, moved
and removed through plain forms; who may reach it; bad and hostile input
refused with a message on the form and nothing written; frozen questions
explained; and a page whose queries do not grow with the questions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from consult.accounts.models import Role
from consult.testing.data import every_kind_of_question, open_consultation
from proposals.questionnaire import services
from proposals.questionnaire.models import FormQuestion, QuestionKind
from proposals.questionnaire.services import QuestionInput
from proposals.services import lifecycle, versions

pytestmark = pytest.mark.django_db

YES_NO = QuestionInput(kind="single", prompt="Do you agree?", choices=["Yes", "No"])


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def errors(response) -> str:
    summary = soup(response).find(class_="form-error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


def builder(proposal) -> str:
    return f"/manage/{proposal.pk}/form/"


def add(client, proposal, **fields):
    data = {"kind": "text", "prompt": "What do you think?", **fields}
    return client.post(f"/manage/{proposal.pk}/form/add/", data)


@pytest.fixture
def clerk(people, make_user, grant, tree):
    return grant(make_user(display_name="Clerk"), tree.city_office, Role.CLERK)


@pytest.fixture
def form_draft(draft, people):
    """The draft with a form of every kind of question, not yet published."""
    every_kind_of_question(official=people.official, proposal=draft)
    return draft


def by_prompt(proposal, prompt: str) -> FormQuestion:
    return FormQuestion.objects.get(proposal=proposal, prompt=prompt)


# Who may reach the builder.


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("citizen", 404),
        ("moderator", 404),
        ("official", 200),
        ("parent_official", 200),
        ("other_official", 404),
        ("clerk", 404),
    ],
)
def test_only_officials_of_the_department_or_above_reach_the_builder(
    client, people, clerk, form_draft, who, status
):
    client.force_login(clerk if who == "clerk" else people.by_name(who))
    assert client.get(builder(form_draft)).status_code == status
    question = by_prompt(form_draft, "Anything else?")
    posts = [
        (f"/manage/{form_draft.pk}/form/add/", {"kind": "text", "prompt": "Sneaky?"}),
        (f"/manage/{form_draft.pk}/form/{question.pk}/", {"kind": "text", "prompt": "Changed"}),
        (f"/manage/{form_draft.pk}/form/{question.pk}/move/", {"direction": "up"}),
    ]
    if status == 404:
        for url, data in posts:
            assert client.post(url, data).status_code == 404
        assert client.post(f"/manage/{form_draft.pk}/form/{question.pk}/remove/").status_code == 404
        assert not FormQuestion.objects.filter(prompt__in=["Sneaky?", "Changed"]).exists()
        assert FormQuestion.objects.filter(pk=question.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, form_draft):
    response = client.get(builder(form_draft))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert add(client, form_draft).status_code == 302
    assert FormQuestion.objects.filter(proposal=form_draft).count() == 7


# Building the form.


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "single", "choices": "Yes\r\nNo\r\n\r\nDon't know"},
            {"choices": [["c1", "Yes"], ["c2", "No"], ["c3", "Don't know"]]},
        ),
        (
            {"kind": "multiple", "choices": "Walk\nBike"},
            {"choices": [["c1", "Walk"], ["c2", "Bike"]]},
        ),
        ({"kind": "scale", "choices": "ignored\nfor a scale"}, {"choices": []}),
        (
            {"kind": "ranking", "choices": "A\nB\nC"},
            {"choices": [["c1", "A"], ["c2", "B"], ["c3", "C"]]},
        ),
        ({"kind": "number", "min_value": "0", "max_value": "12.5"}, {"text_limit": None}),
        ({"kind": "text", "text_limit": "300"}, {"text_limit": 300}),
        ({"kind": "text", "text_limit": ""}, {"text_limit": 2000}),
    ],
)
def test_an_official_adds_every_kind_of_question(official_client, draft, fields, expected):
    response = add(
        official_client,
        draft,
        help_text="Say why.",
        required="on",
        **fields,
    )
    question = FormQuestion.objects.get(proposal=draft)
    assert response.status_code == 302
    assert response["Location"] == f"{builder(draft)}#question-{question.pk}"
    assert (question.kind, question.help_text, question.required) == (
        fields["kind"],
        "Say why.",
        True,
    )
    assert question.published_in is None
    for name, value in expected.items():
        assert getattr(question, name) == value
    if fields["kind"] == "number":
        assert (str(question.min_value.normalize()), str(question.max_value)) == ("0", "12.5000")


def test_a_question_goes_on_a_section_and_depends_on_an_earlier_answer(
    official_client, draft, people
):
    first = services.question_add(actor=people.official, proposal=draft, data=YES_NO)
    limits = draft.sections.get(heading="Limits")
    response = add(
        official_client,
        draft,
        prompt="If not, why not?",
        section=str(limits.pk),
        shown_if=str(first.pk),
        shown_if_choices=[f"{first.pk}:c2"],
    )
    assert response.status_code == 302
    shown = by_prompt(draft, "If not, why not?")
    assert (shown.section, shown.shown_if, shown.shown_if_choices) == (limits, first, ["c2"])

    page = official_client.get(builder(draft)).content.decode()
    assert "Shown only when “Do you agree?” is answered: No" in page
    assert "In the section “Limits”" in page


def test_the_ticked_answers_name_their_question_when_none_is_chosen(official_client, draft, people):
    first = services.question_add(actor=people.official, proposal=draft, data=YES_NO)
    add(official_client, draft, prompt="Why yes?", shown_if_choices=[f"{first.pk}:c1"])
    assert by_prompt(draft, "Why yes?").shown_if == first


def test_answers_of_two_questions_cannot_both_show_one(official_client, draft, people):
    first = services.question_add(actor=people.official, proposal=draft, data=YES_NO)
    second = services.question_add(
        actor=people.official,
        proposal=draft,
        data=QuestionInput(kind="single", prompt="Do you drive?", choices=["Yes", "No"]),
    )
    both = [f"{first.pk}:c1", f"{second.pk}:c1"]
    response = add(official_client, draft, prompt="Why?", shown_if_choices=both)
    assert response.status_code == 400
    assert "depend on one earlier question only" in errors(response)
    response = add(
        official_client, draft, prompt="Why?", shown_if=str(first.pk), shown_if_choices=both
    )
    assert "Tick only answers of the question chosen" in errors(response)
    response = add(official_client, draft, prompt="Why?", shown_if=str(first.pk))
    assert "Tick the answers to the earlier question" in errors(response)
    assert not FormQuestion.objects.filter(prompt="Why?").exists()


# Bad and hostile input: a message on its field, what was typed kept, nothing written.


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "poll"}, "kind", "Select a valid choice"),
        ({"prompt": "   "}, "prompt", "This field is required"),
        ({"prompt": "x" * 100_000}, "prompt", "at most 500 characters"),
        ({"prompt": "Why\x00?"}, "prompt", "Null characters are not allowed"),
        ({"help_text": "h" * 5000}, "help_text", "at most 1000 characters"),
        ({"kind": "single", "choices": "Only one"}, "choices", "at least two answers"),
        ({"kind": "single", "choices": "Same\nSame"}, "choices", "is given twice"),
        (
            {"kind": "single", "choices": "\n".join(str(n) for n in range(21))},
            "choices",
            "at most 20 answers",
        ),
        ({"kind": "single", "choices": "a\n" + "b" * 300}, "choices", "at most 200 characters"),
        ({"kind": "single", "choices": "a\x00\nb"}, "choices", "Null characters"),
        ({"kind": "text", "text_limit": "0"}, "text_limit", "greater than or equal to 1"),
        ({"kind": "text", "text_limit": "10" * 30}, "text_limit", "less than or equal to"),
        ({"kind": "text", "text_limit": "lots"}, "text_limit", "whole number"),
        ({"kind": "number", "min_value": "10", "max_value": "1"}, "max_value", "must not be above"),
        ({"kind": "number", "min_value": "NaN"}, "min_value", "Enter a number"),
        ({"kind": "number", "max_value": "1e999"}, "max_value", "digits"),
        ({"section": "999999"}, "section", "Select a valid choice"),
        ({"shown_if": "999999"}, "shown_if", "Select a valid choice"),
        ({"shown_if_choices": ["999999:c1"]}, "shown_if_choices", "Select a valid choice"),
        ({"shown_if_choices": ["not-even-a-pair"]}, "shown_if_choices", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(
    official_client, draft, fields, field, message
):
    response = add(official_client, draft, **fields)
    assert response.status_code == 400
    assert message in errors(response)
    page = soup(response)
    assert page.find(id=f"id_{field}_error") is not None, field
    # The error is linked to its field for screen readers.
    described = page.find(id=f"id_{field}") or page.find(attrs={"name": field})
    assert f"id_{field}_error" in (described.get("aria-describedby") or "")
    # The summary's link goes to the field.
    links = [a["href"] for a in page.select(".form-error-summary a")]
    assert f"#{described['id']}" in links
    assert not FormQuestion.objects.filter(proposal=draft).exists()


def test_what_was_typed_is_kept_when_refused(official_client, draft):
    response = add(
        official_client, draft, kind="single", prompt="Keep my words", choices="Lonely answer"
    )
    page = soup(response)
    assert page.find(id="id_prompt").get_text().strip() == "Keep my words"
    assert page.find(id="id_choices").get_text().strip() == "Lonely answer"


def test_another_consultations_section_and_questions_are_refused(
    official_client, draft, people, tree
):
    other = open_consultation(
        official=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Another one",
        form=True,
    )
    theirs = other.form_questions.order_by("order").first()
    their_section = other.sections.first()
    response = add(
        official_client,
        draft,
        section=str(their_section.pk),
        shown_if=str(theirs.pk),
        shown_if_choices=[f"{theirs.pk}:c1"],
    )
    assert response.status_code == 400
    assert not FormQuestion.objects.filter(proposal=draft).exists()
    # Its questions are not found under this consultation's address.
    for suffix in ("", "move/", "remove/"):
        url = f"/manage/{draft.pk}/form/{theirs.pk}/{suffix}"
        assert official_client.post(url, {"kind": "text", "prompt": "x"}).status_code == 404
    assert official_client.get(f"/manage/{draft.pk}/form/{theirs.pk}/").status_code == 404
    assert FormQuestion.objects.filter(pk=theirs.pk, prompt=theirs.prompt).exists()


def test_a_question_cannot_depend_on_a_later_one(official_client, form_draft):
    agree = by_prompt(form_draft, "Do you agree with the proposed 20 km/h limit?")
    page = soup(official_client.get(f"/manage/{form_draft.pk}/form/{agree.pk}/"))
    assert [o["value"] for o in page.find(id="id_shown_if").find_all("option")] == [""]
    safety = by_prompt(form_draft, "Streets near schools are safe today.")
    response = official_client.post(
        f"/manage/{form_draft.pk}/form/{agree.pk}/",
        {
            "kind": "single",
            "prompt": agree.prompt,
            "choices": "Yes\nNo\nDon't know",
            "shown_if": str(safety.pk),
            "shown_if_choices": [f"{safety.pk}:agree"],
        },
    )
    assert response.status_code == 400
    agree.refresh_from_db()
    assert agree.shown_if is None


# Changing, moving, removing.


def test_an_official_edits_a_question_keeping_its_answers_keys(official_client, form_draft):
    travel = by_prompt(form_draft, "How do you travel near schools?")
    page = official_client.get(f"/manage/{form_draft.pk}/form/{travel.pk}/")
    assert page.status_code == 200
    assert "On foot\nBy bike\nBy car\nBy bus" in soup(page).find(id="id_choices").get_text()
    response = official_client.post(
        f"/manage/{form_draft.pk}/form/{travel.pk}/",
        {"kind": "multiple", "prompt": "How do you travel?", "choices": "By bus\nOn foot\nBy tram"},
    )
    assert response.status_code == 302
    travel.refresh_from_db()
    assert travel.prompt == "How do you travel?"
    assert travel.choices == [["c4", "By bus"], ["c1", "On foot"], ["c5", "By tram"]]


def test_questions_move_up_and_down_but_never_above_what_they_depend_on(
    official_client, form_draft
):
    def prompts():
        return list(
            FormQuestion.objects.filter(proposal=form_draft)
            .order_by("order")
            .values_list("prompt", flat=True)[:3]
        )

    travel = by_prompt(form_draft, "How do you travel near schools?")
    response = official_client.post(
        f"/manage/{form_draft.pk}/form/{travel.pk}/move/", {"direction": "up"}
    )
    assert response["Location"].endswith(f"#question-{travel.pk}")
    assert prompts()[1] == "How do you travel near schools?"
    why_not = by_prompt(form_draft, "If not, why not?")
    # Past the question after the one it depends on, then no higher.
    official_client.post(f"/manage/{form_draft.pk}/form/{why_not.pk}/move/", {"direction": "up"})
    response = official_client.post(
        f"/manage/{form_draft.pk}/form/{why_not.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "depends on the answers" in response.content.decode()
    assert prompts()[:2] == ["Do you agree with the proposed 20 km/h limit?", "If not, why not?"]


def test_removing_a_question_and_the_refusal_when_another_depends_on_it(
    official_client, form_draft
):
    agree = by_prompt(form_draft, "Do you agree with the proposed 20 km/h limit?")
    response = official_client.post(f"/manage/{form_draft.pk}/form/{agree.pk}/remove/", follow=True)
    assert "Another question depends on the answers to this one" in response.content.decode()
    assert FormQuestion.objects.filter(pk=agree.pk).exists()
    why_not = by_prompt(form_draft, "If not, why not?")
    response = official_client.post(
        f"/manage/{form_draft.pk}/form/{why_not.pk}/remove/", follow=True
    )
    assert "Question removed." in response.content.decode()
    assert not FormQuestion.objects.filter(pk=why_not.pk).exists()


def test_get_is_refused_on_the_post_only_endpoints(official_client, form_draft):
    question = by_prompt(form_draft, "Anything else?")
    assert official_client.get(f"/manage/{form_draft.pk}/form/add/").status_code == 405
    assert (
        official_client.get(f"/manage/{form_draft.pk}/form/{question.pk}/move/").status_code == 405
    )


# Published, new and frozen.


@pytest.fixture
def answered(form_draft, people):
    """The form published with version 1, then answered (frozen)."""
    versions.version_publish(actor=people.official, proposal=form_draft, change_note="v1")
    services.questions_freeze(form_draft.pk)
    form_draft.refresh_from_db()
    return form_draft


def test_a_frozen_question_says_why_and_keeps_what_was_typed(official_client, answered):
    agree = by_prompt(answered, "Do you agree with the proposed 20 km/h limit?")
    url = f"/manage/{answered.pk}/form/{agree.pk}/"
    assert (
        "its kind, wording and answers can no longer change"
        in official_client.get(url).content.decode()
    )
    response = official_client.post(
        url, {"kind": "single", "prompt": "Do you agree now?", "choices": "Yes\nNo\nMaybe"}
    )
    assert response.status_code == 400
    assert "People have already answered this question" in errors(response)
    assert soup(response).find(id="id_prompt").get_text().strip() == "Do you agree now?"
    agree.refresh_from_db()
    assert agree.prompt == "Do you agree with the proposed 20 km/h limit?"
    # What respondents did not answer may still change.
    response = official_client.post(
        url,
        {
            "kind": "single",
            "prompt": agree.prompt,
            "choices": "Yes\nNo\nDon't know",
            "help_text": "Tell us honestly.",
        },
    )
    assert response.status_code == 302
    agree.refresh_from_db()
    assert agree.help_text == "Tell us honestly."


def test_a_frozen_question_cannot_be_removed(official_client, answered):
    comments = by_prompt(answered, "Anything else?")
    page = soup(official_client.get(builder(answered)))
    item = page.find(id=f"question-{comments.pk}")
    assert item.find("button", string=lambda s: s and "Remove" in s) is None
    response = official_client.post(
        f"/manage/{answered.pk}/form/{comments.pk}/remove/", follow=True
    )
    assert "cannot be removed" in response.content.decode()
    assert FormQuestion.objects.filter(pk=comments.pk).exists()


def test_the_preview_marks_published_new_and_frozen_questions(official_client, answered, people):
    services.question_add(actor=people.official, proposal=answered, data=YES_NO)
    page = soup(official_client.get(builder(answered)))
    new = page.find(id=f"question-{by_prompt(answered, 'Do you agree?').pk}")
    old = page.find(id=f"question-{by_prompt(answered, 'Anything else?').pk}")
    assert "New: shown from the next version" in new.get_text()
    assert "Frozen" not in new.get_text()
    assert "Published in version 1" in old.get_text()
    assert "Frozen" in old.get_text()
    counts = page.find(class_="form-counts").get_text(" ", strip=True)
    assert "8 questions" in counts
    assert "1 new question will be shown from the next version" in counts
    # Every kind is shown as respondents will see it, in a fieldset with its legend.
    legends = [
        fs.legend.get_text(" ", strip=True) for fs in page.select("fieldset.question-preview")
    ]
    assert legends[0] == "Do you agree with the proposed 20 km/h limit? (required)"
    assert page.find(
        id=f"preview-{by_prompt(answered, 'Streets near schools are safe today.').pk}-dont_know"
    )


def test_number_bounds_read_as_people_write_them(official_client, draft):
    add(official_client, draft, kind="number", prompt="How many?", min_value="10", max_value="12.5")
    question = by_prompt(draft, "How many?")
    page = soup(official_client.get(builder(draft)))
    assert "From 10 to 12.5." in page.find(id=f"question-{question.pk}").get_text()
    edit = soup(official_client.get(f"/manage/{draft.pk}/form/{question.pk}/"))
    assert (edit.find(id="id_min_value")["value"], edit.find(id="id_max_value")["value"]) == (
        "10",
        "12.5",
    )


def test_the_manage_page_links_to_the_form_with_its_counts(official_client, form_draft):
    page = soup(official_client.get(f"/manage/{form_draft.pk}/"))
    link = page.find(class_="response-form-link")
    assert link.a["href"] == builder(form_draft)
    text = link.get_text(" ", strip=True)
    assert "7 questions" in text
    assert "7 new questions will be shown from the next version" in text


def test_new_questions_are_published_with_the_next_version(official_client, published, people):
    add(official_client, published, prompt="Anything to add?")
    response = official_client.post(
        f"/manage/{published.pk}/publish/", {"change_note": "Adds a question."}
    )
    assert response.status_code == 302
    question = by_prompt(published, "Anything to add?")
    assert question.published_in.number == 2


def test_a_withdrawn_consultations_form_offers_no_changes(official_client, answered, people):
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=answered,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=3),
    )
    lifecycle.proposal_withdraw(actor=people.official, proposal=answered, reason="Gone")
    page = official_client.get(builder(answered)).content.decode()
    assert "The form can no longer change" in page
    assert "Add question" not in page
    response = add(official_client, answered, prompt="Late?")
    assert response.status_code == 400
    assert "withdrawn" in errors(response).lower()


# Queries do not grow with the questions.


@pytest.mark.parametrize("size", [3, 30])
def test_the_builder_page_reads_a_fixed_number_of_queries(
    official_client, draft, people, size, django_assert_max_num_queries
):
    first = services.question_add(actor=people.official, proposal=draft, data=YES_NO)
    for n in range(size - 1):
        kind = [QuestionKind.TEXT, QuestionKind.SCALE, QuestionKind.SINGLE][n % 3]
        services.question_add(
            actor=people.official,
            proposal=draft,
            data=QuestionInput(
                kind=kind,
                prompt=f"Question {n}",
                choices=["A", "B"] if kind == QuestionKind.SINGLE else [],
                shown_if_id=first.pk,
                shown_if_choices=["c1"],
                section_id=draft.sections.first().pk,
            ),
        )
    with django_assert_max_num_queries(8):
        response = official_client.get(builder(draft))
    assert response.status_code == 200
    assert len(soup(response).select("ol.form-questions > li")) == size


@pytest.mark.parametrize(
    "field",
    [
        "kind",
        "prompt",
        "help_text",
        "choices",
        "text_limit",
        "min_value",
        "max_value",
        "section",
        "shown_if",
        "shown_if_choices",
        "required",
    ],
)
def test_a_nul_byte_in_any_field_is_a_message_never_an_error_page(
    official_client, form_draft, field
):
    base = {"kind": "single", "prompt": "Nul?", "choices": "a\nb"}
    response = add(official_client, form_draft, **{**base, field: "x\x00y"})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert errors(response)
    stored = FormQuestion.objects.values_list("prompt", "help_text", "choices")
    assert not any("\x00" in str(row) for row in stored)


def test_every_post_needs_the_csrf_token(form_draft, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.official)
    question = by_prompt(form_draft, "Anything else?")
    for url in (
        f"/manage/{form_draft.pk}/form/add/",
        f"/manage/{form_draft.pk}/form/{question.pk}/",
        f"/manage/{form_draft.pk}/form/{question.pk}/move/",
        f"/manage/{form_draft.pk}/form/{question.pk}/remove/",
    ):
        assert client.post(url, {"kind": "text", "prompt": "x"}).status_code == 403
    assert FormQuestion.objects.filter(proposal=form_draft).count() == 7


def test_the_builder_links_to_the_entry_page_only_when_it_exists(
    official_client, form_draft, monkeypatch
):
    from proposals.questionnaire import selectors

    link = "Enter a response received by post, email, phone or at a meeting"
    monkeypatch.setattr(selectors, "entry_url", lambda slug: None)
    assert link not in official_client.get(builder(form_draft)).content.decode()
    monkeypatch.setattr(selectors, "entry_url", lambda slug: f"/enter/{slug}/")
    page = soup(official_client.get(builder(form_draft)))
    assert page.find("a", string=link)["href"] == f"/enter/{form_draft.slug}/"


def test_a_post_too_big_to_read_is_refused_not_an_error_page(official_client, draft, settings):
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = add(official_client, draft, kind="single", choices="a\n" * (too_big // 2))
    assert response.status_code == 400
    assert not FormQuestion.objects.filter(proposal=draft).exists()


def test_the_builder_speaks_chinese(official_client, form_draft):
    official_client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = soup(official_client.get(builder(form_draft)))
    assert page.find("h1").get_text(strip=True) == "答复表"
    assert "7 个新问题将从下一版本起显示" in page.find(class_="form-counts").get_text()
    assert page.find("legend", string="显示位置和显示条件")
    assert page.find("button", string="添加问题")
