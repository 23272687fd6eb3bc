"""In a real browser: a citizen answers every kind of question of a
consultation's response form as an organisation, with a PDF, published
anonymously (the conditional question shown by CSS alone when "No" is
ticked); a data entry clerk enters a letter that came by post."""

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from consult.testing.data import open_consultation
from discussion.submissions.models import FormResponse
from tests.conftest import daphne_server
from tests.e2e.conftest import in_thread, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server(transactional_db, tmp_path):
    """Daphne storing uploads in the test's own folder."""
    with daphne_server("immediate", overrides={"MEDIA_ROOT": str(tmp_path)}) as live:
        yield live


@pytest.fixture
def consultation(make_user, grant, tree):
    official = grant(make_user("official@example.org"), tree.ministry, Role.OFFICIAL)
    return in_thread(
        open_consultation,
        official=official,
        department=tree.ministry,
        jurisdiction=tree.nation,
        title="Safer streets near schools",
        form=True,
    )


def question(page, prompt: str):
    return page.locator("fieldset.form-question", has_text=prompt)


def test_a_citizen_answers_every_kind_of_question_as_an_organisation(
    server, browser, consultation, make_user
):
    make_user("mei@example.org", display_name="Mei Lin")
    page = signed_in_page(browser, server.url, "mei@example.org")
    page.goto(server.url + consultation.get_absolute_url())
    page.get_by_role("link", name="Respond to this consultation").click()
    expect(page.get_by_role("heading", name="Respond to this consultation")).to_be_visible()

    # The organisation's questions appear only once "on behalf of" is chosen.
    expect(page.get_by_label("Name of the organisation")).to_be_hidden()
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Name of the organisation").fill("Parents for Safe Streets")
    page.get_by_label("Type of organisation").select_option(label="Community or residents' group")
    page.get_by_label("This response is the organisation's official view").check()
    page.get_by_label("Publish my response anonymously").check()

    # "If not, why not?" is shown by the stylesheet only while "No" is ticked.
    agree = question(page, "Do you agree with the proposed 20 km/h limit?")
    why_not = question(page, "If not, why not?")
    expect(why_not).to_be_hidden()
    agree.get_by_label("Yes", exact=True).check()
    expect(why_not).to_be_hidden()
    agree.get_by_label("No", exact=True).check()
    expect(why_not).to_be_visible()
    expect(why_not).to_contain_text("Answer this if you answered “No” to question 1.")
    why_not.get_by_role("textbox").fill("Buses would be slower.")

    travel = question(page, "How do you travel near schools?")
    travel.get_by_label("By bus").check()
    travel.get_by_label("On foot").check()
    question(page, "Streets near schools are safe today.").get_by_label(
        "Disagree", exact=True
    ).check()
    ranking = question(page, "Rank these measures.")
    ranking.get_by_label("Crossings").select_option("1")
    ranking.get_by_label("Speed limit").select_option("2")
    question(page, "How many children").get_by_role("textbox").fill("2")
    question(page, "Anything else?").get_by_role("textbox").fill("Thank you.")
    page.get_by_label("Attach documents").set_input_files(
        files=[{"name": "Our submission.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Response submitted (submission 1)")
    expect(page.locator("#response-state")).to_contain_text("You have submitted once")
    response = FormResponse.objects.get(proposal=consultation)
    assert (response.status, response.publication, response.organisation_name) == (
        "submitted",
        "anonymous",
        "Parents for Safe Streets",
    )
    assert response.answers.count() == 7
    assert response.documents.get().original_name == "Our submission.pdf"
    # The form comes back filled: "No" ticked, so its question is shown again.
    expect(agree.get_by_label("No", exact=True)).to_be_checked()
    expect(why_not).to_be_visible()
    page.context.close()


def test_a_clerk_enters_a_letter_received_by_post(
    server, browser, consultation, make_user, grant, tree
):
    grant(make_user("clerk@example.org"), tree.ministry, Role.CLERK)
    page = signed_in_page(browser, server.url, "clerk@example.org")
    page.goto(server.url + consultation.get_absolute_url())
    page.get_by_role("link", name="Enter a response received by post").click()

    page.get_by_label("Post", exact=True).check()
    page.get_by_label("Date received").fill("2026-12-01")
    page.get_by_label("The respondent's name, as given (optional)").fill("A. Letter-Writer")
    page.get_by_label("As an individual").check()
    page.get_by_label("Do not publish my response").check()
    question(page, "Do you agree with the proposed 20 km/h limit?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Enter the response").click()

    expect(page.locator(".messages")).to_contain_text("Response entered (post, received")
    expect(page.get_by_label("The respondent's name, as given (optional)")).to_have_value("")
    response = FormResponse.objects.get(proposal=consultation)
    assert (response.channel, response.respondent_name, response.publication) == (
        "post",
        "A. Letter-Writer",
        "withheld",
    )
    page.context.close()


def test_without_javascript_a_draft_is_saved_and_a_refusal_keeps_what_was_typed(
    server, browser, consultation, make_user
):
    make_user("ana@example.org", display_name="Ana")
    page = signed_in_page(browser, server.url, "ana@example.org", java_script_enabled=False)
    page.goto(server.url + f"/discussion/consultations/{consultation.slug}/form/")
    agree = question(page, "Do you agree with the proposed 20 km/h limit?")
    why_not = question(page, "If not, why not?")
    expect(why_not).to_be_hidden()
    agree.get_by_label("No", exact=True).check()
    expect(why_not).to_be_visible()  # the stylesheet alone
    why_not.get_by_role("textbox").fill("Too slow for buses.")
    ranking = question(page, "Rank these measures.")
    ranking.get_by_label("Crossings").select_option("1")
    ranking.get_by_label("Cameras").select_option("1")
    page.get_by_role("button", name="Save draft").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem: nothing was saved")
    expect(summary).to_contain_text("“Crossings” and “Cameras” are both number 1.")
    expect(why_not.get_by_role("textbox")).to_have_value("Too slow for buses.")
    expect(ranking.get_by_label("Cameras")).to_have_value("1")
    summary.get_by_role("link", name="Question 5").click()
    expect(ranking.get_by_label("Speed limit")).to_be_visible()
    assert not FormResponse.objects.exists()

    ranking.get_by_label("Cameras").select_option("2")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    expect(why_not.get_by_role("textbox")).to_have_value("Too slow for buses.")
    assert FormResponse.objects.get().status == "draft"
    page.context.close()
