"""The response form from end to end, in a real browser: an official builds a
form of every kind with a condition and publishes it; a citizen answers as an
organisation with a document, published anonymously; a data entry clerk
enters a letter that came by post; the official computes the summary and
publishes the report, which shows the charts, the organisations as each chose
to be published, and the letter counted under "post"."""

import re

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from consult.testing.data import open_consultation
from discussion.submissions.models import FormResponse
from proposals.services import lifecycle
from tests.conftest import daphne_server
from tests.e2e.conftest import in_thread, sign_in, signed_in_page
from tests.e2e.test_form_builder import add_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGREE = "Do you agree with the proposed 20 km/h limit?"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server(transactional_db, tmp_path):
    with daphne_server("immediate", overrides={"MEDIA_ROOT": str(tmp_path)}) as live:
        yield live


def question(page, prompt: str):
    return page.locator("fieldset.form-question", has_text=prompt)


def build_and_publish(page, base: str, proposal) -> None:
    page.goto(f"{base}/manage/{proposal.pk}/form/")
    add_question(page, "Single choice", AGREE, choices=["Yes", "No", "Don't know"], required=True)
    add_question(page, "Free text", "If not, why not?", limit=500, shown_after=(AGREE, "No"))
    add_question(page, "Multiple choice", "How do you travel?", choices=["On foot", "By car"])
    add_question(page, "Agreement scale", "Streets near schools are safe today.")
    add_question(page, "Ranking", "Rank these measures.", choices=["Crossings", "Cameras"])
    add_question(page, "Number", "How many children walk to school?", low="0", high="20")
    page.get_by_role("link", name="6 new questions will be shown from the next version").click()
    page.get_by_label("What changed:", exact=True).fill("Adds the response form.")
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".messages")).to_contain_text("Version published")


def respond_as_organisation(page, base: str, proposal) -> None:
    page.goto(base + proposal.get_absolute_url())
    page.get_by_role("link", name="Respond to this consultation").click()
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Name of the organisation").fill("Parents for Safe Streets")
    page.get_by_label("Type of organisation").select_option(label="Community or residents' group")
    page.get_by_label("This response is the organisation's official view").check()
    page.get_by_label("Publish my response anonymously").check()
    question(page, AGREE).get_by_label("No", exact=True).check()
    question(page, "If not, why not?").get_by_role("textbox").fill("Buses would be slower.")
    question(page, "How do you travel?").get_by_label("On foot").check()
    question(page, "Streets near schools are safe today.").get_by_label(
        "Disagree", exact=True
    ).check()
    question(page, "Rank these measures.").get_by_label("Crossings").select_option("1")
    question(page, "How many children").get_by_role("textbox").fill("3")
    page.get_by_label("Attach documents").set_input_files(
        files=[{"name": "Our submission.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Response submitted (submission 1)")


def enter_a_posted_letter(page, base: str, proposal) -> None:
    page.goto(base + proposal.get_absolute_url())
    page.get_by_role("link", name="Enter a response received by post").click()
    page.get_by_label("Post", exact=True).check()
    page.get_by_label("Date received").fill("2026-12-01")
    page.get_by_label("On behalf of an organisation").check()
    page.get_by_label("Name of the organisation").fill("Riverton Cyclists")
    page.get_by_label("Type of organisation").select_option(label="Community or residents' group")
    page.get_by_label("Publish my response with my name").check()
    question(page, AGREE).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Enter the response").click()
    expect(page.locator(".messages")).to_contain_text("Response entered (post, received")


def test_a_form_is_built_answered_online_and_by_post_and_reported(
    server, browser, page, tree, make_user, grant
):
    base = server.url
    official = grant(make_user("official@example.org"), tree.ministry, Role.OFFICIAL)
    grant(make_user("clerk@example.org"), tree.ministry, Role.CLERK)
    make_user("mei@example.org", display_name="Mei Lin")
    proposal = in_thread(
        open_consultation,
        official=official,
        department=tree.ministry,
        jurisdiction=tree.nation,
        title="Safer streets near schools",
    )

    sign_in(page, base, "official@example.org")
    build_and_publish(page, base, proposal)
    citizen = signed_in_page(browser, base, "mei@example.org")
    respond_as_organisation(citizen, base, proposal)
    citizen.context.close()
    clerk = signed_in_page(browser, base, "clerk@example.org")
    enter_a_posted_letter(clerk, base, proposal)
    clerk.context.close()
    assert sorted(FormResponse.objects.values_list("channel", "publication")) == [
        ("post", "named"),
        ("web", "anonymous"),
    ]

    in_thread(lifecycle.proposal_close_early, actor=official, proposal=proposal, reason="Done.")
    page.goto(f"{base}/consultations/{proposal.slug}/summary/")
    page.get_by_role("button", name="Compute the summary").click()
    expect(page.get_by_role("heading", name="Answers to the response form")).to_be_visible(
        timeout=60_000
    )
    # Officials see every organisation, the anonymous one included.
    expect(page.locator("#form")).to_contain_text("Riverton Cyclists")
    expect(page.locator("#form")).to_contain_text("Parents for Safe Streets")
    page.get_by_role("button", name="Draft the report").click()
    page.get_by_role("button", name="Save and preview").click()
    page.goto(f"{base}/consultations/{proposal.slug}/report/edit/")
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("The report is published.")).to_be_visible()

    reader = signed_in_page(browser, base, "mei@example.org")
    reader.goto(f"{base}/consultations/{proposal.slug}/report/")
    report = reader.locator("#main")
    expect(reader.get_by_role("heading", name="Answers to the response form")).to_be_visible()
    chart = reader.locator("svg[role=img]", has=reader.locator("title", has_text=AGREE))
    expect(chart.first).to_be_attached()
    arrived = reader.locator("table", has_text="How responses arrived").first
    expect(arrived.locator("tr", has_text="Post")).to_contain_text("1")
    expect(report).to_contain_text("Riverton Cyclists")
    expect(report).to_contain_text(re.compile(r"1 organisation\b.*asked not to be named"))
    expect(report).not_to_contain_text("Parents for Safe Streets")
    expect(report).not_to_contain_text("Mei Lin")
    reader.context.close()
