"""An official builds a consultation's response form in a real browser: one
question of every kind and one shown only after a "No"; then publishes the
new version that shows them. (Refusals are the page tests' part:
tests/proposals/test_form_builder.py.)"""

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from consult.testing.data import open_consultation
from proposals.questionnaire.models import FormQuestion
from tests.e2e.conftest import in_thread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_question(page, kind: str, prompt: str, **fields) -> None:
    form = page.locator("#add-question form")
    form.get_by_label("Kind of question").select_option(label=kind)
    form.get_by_label("Question:", exact=True).fill(prompt)
    if "choices" in fields:
        form.get_by_label("Answers to choose from:", exact=True).fill("\n".join(fields["choices"]))
    if "limit" in fields:
        form.get_by_label("Longest answer, in characters").fill(str(fields["limit"]))
    if "low" in fields:
        form.get_by_label("Smallest number allowed").fill(fields["low"])
        form.get_by_label("Largest number allowed").fill(fields["high"])
    if fields.get("required"):
        form.get_by_label("An answer is required").check()
    if "shown_after" in fields:
        question, answer = fields["shown_after"]
        form.get_by_label("Show this question only when").select_option(label=question)
        form.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    form.get_by_role("button", name="Add question").click()


def test_an_official_builds_a_form_of_every_kind_and_publishes_it(
    asgi_live_server, page, tree, make_user, grant
):
    base = asgi_live_server.url
    official = grant(
        make_user("official@example.org", display_name="Olu Official"), tree.ministry, Role.OFFICIAL
    )
    proposal = in_thread(
        open_consultation,
        official=official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Safer streets near schools",
    )

    sign_in(page, base, "official@example.org")
    page.goto(f"{base}/manage/{proposal.pk}/")
    page.get_by_role("link", name="Response form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Response form")
    expect(page.locator(".empty-state")).to_contain_text("No questions yet")

    agree = "Do you agree with the proposed 20 km/h limit?"
    add_question(page, "Single choice", agree, choices=["Yes", "No", "Don't know"], required=True)
    expect(page.locator(".messages")).to_contain_text("Question added")
    add_question(page, "Free text", "If not, why not?", limit=500, shown_after=(agree, "No"))
    add_question(
        page, "Multiple choice", "How do you travel near schools?", choices=["On foot", "By car"]
    )
    add_question(page, "Agreement scale", "Streets near schools are safe today.")
    add_question(page, "Ranking", "Rank these measures.", choices=["Crossings", "Cameras"])
    add_question(page, "Number", "How many children walk to school?", low="0", high="20")

    # The preview shows each question as respondents will, waiting for the next version.
    questions = page.locator("ol.form-questions > li")
    expect(questions).to_have_count(6)
    preview = page.locator("#questions")
    expect(preview.get_by_role("group", name=f"{agree} (required)")).to_be_visible()
    expect(questions.nth(1)).to_contain_text(f"Shown only when “{agree}” is answered: No")
    expect(
        preview.get_by_role("group", name="Streets near schools are safe today.")
    ).to_contain_text("Don't know")
    expect(page.locator(".form-counts")).to_contain_text(
        "6 new questions will be shown from the next version"
    )

    page.get_by_role("link", name="6 new questions will be shown from the next version").click()
    page.get_by_label("What changed:", exact=True).fill("Adds the response form.")
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".messages")).to_contain_text("Version published")

    page.get_by_role("link", name="Response form").click()
    expect(page.locator("ol.form-questions").get_by_text("Published in version 2")).to_have_count(6)
    expect(page.locator(".form-counts")).not_to_contain_text("new question")
    made = FormQuestion.objects.filter(proposal=proposal).order_by("order")
    assert [q.kind for q in made] == ["single", "text", "multiple", "scale", "ranking", "number"]
    assert made[1].shown_if_id == made[0].pk
    assert made[1].shown_if_choices == ["c2"]
    assert {q.published_in.number for q in made} == {2}
