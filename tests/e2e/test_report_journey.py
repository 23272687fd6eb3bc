"""The end of a consultation, in a real browser: an official answers comments
in bulk, computes the summary while watching its progress bar (the run is in
a separate task worker, as in production), drafts and publishes the report;
a citizen opens it and downloads the PDF, which carries the figures."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from discussion.comments import services as discussion_services
from proposals.services import lifecycle, stances
from tests.e2e.conftest import in_thread, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every value the progress bar takes, across the reload at the end.
WATCH_PROGRESS = """
(() => {
  const seen = () => JSON.parse(sessionStorage.getItem("progress-seen") || "[]");
  const note = (bar) => {
    const values = seen();
    values.push(Number(bar.value));
    sessionStorage.setItem("progress-seen", JSON.stringify(values));
  };
  document.addEventListener("DOMContentLoaded", () => {
    const bar = document.querySelector("[data-summary-bar]");
    if (!bar) return;
    new MutationObserver(() => note(bar)).observe(bar, {attributes: true, childList: true});
  });
})();
"""


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Chart labels are placed glyph by glyph: compare without spaces.
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def test_official_answers_summarises_and_publishes_and_a_citizen_downloads_the_pdf(
    asgi_live_server_with_worker, browser, page, open_proposal, people, make_user
):
    base = asgi_live_server_with_worker.url
    sections = list(open_proposal.sections.order_by("order"))
    texts = [
        "Please add a crossing patrol at the school gate.",
        "A crossing patrol would help more than cameras.",
        "Keep the buses on time during school street hours.",
        "Residents need exemptions for carers.",
    ]
    comments = [
        in_thread(
            discussion_services.comment_create,
            actor=make_user(display_name=f"Resident {i}"),
            proposal=open_proposal,
            body=text,
            section=sections[i % 2],
        )
        for i, text in enumerate(texts)
    ]
    in_thread(
        stances.stance_cast,
        actor=make_user(display_name="Stancer"),
        proposal=open_proposal,
        value="support",
    )

    # The official answers the two patrol comments at once.
    page.add_init_script(WATCH_PROGRESS)
    sign_in(page, base, people.official.email)
    page.goto(f"{base}/discussion/consultations/{open_proposal.slug}/respond/")
    page.get_by_role("checkbox", name=re.compile(rf"Comment {comments[0].pk} by")).check()
    page.get_by_role("checkbox", name=re.compile(rf"Comment {comments[1].pk} by")).check()
    page.get_by_label("Status").select_option("accepted")
    page.get_by_label("Explanation").fill("We will fund crossing patrols at every school.")
    page.get_by_role("button", name="Publish the response to the ticked comments").click()
    expect(page.locator(".messages")).to_contain_text("published under 2 comments")
    assert comments[0].official_responses.count() == 1
    assert comments[1].official_responses.count() == 1

    in_thread(
        lifecycle.proposal_close_early,
        actor=people.official,
        proposal=open_proposal,
        reason="The window has ended.",
    )

    # The summary runs in the worker; the bar moves and the page shows the result.
    page.goto(f"{base}/consultations/{open_proposal.slug}/summary/")
    expect(page.get_by_text("No summary has been computed yet.")).to_be_visible()
    page.get_by_role("button", name="Compute the summary").click()
    expect(page.get_by_role("heading", name="Participation")).to_be_visible(timeout=60_000)
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress-seen') || '[]')")
    assert seen, "the progress bar never moved"
    assert seen == sorted(seen) and seen[-1] == 100
    assert len(set(seen)) >= 3, seen
    expect(page.get_by_text("Last computed")).to_be_visible()

    # Draft, preview and publish.
    page.get_by_role("button", name="Draft the report").click()
    expect(page.get_by_role("heading", name="Draft response report")).to_be_visible()
    page.get_by_label("Introduction", exact=True).fill("Thank you to everyone who took part.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("Thank you to everyone who took part.")).to_be_visible()
    page.goto(f"{base}/consultations/{open_proposal.slug}/report/edit/")
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("The report is published.")).to_be_visible()

    # A citizen reads it and downloads the PDF.
    reader = new_page(browser, accept_downloads=True)
    reader.goto(f"{base}/consultations/{open_proposal.slug}/report/")
    expect(reader.get_by_role("heading", level=1)).to_contain_text(open_proposal.title)
    expect(reader.locator("svg[role=img]").first).to_be_visible()
    with reader.expect_download() as download:
        reader.get_by_role("link", name="PDF", exact=True).first.click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    figures = ("Stance on the whole proposal", "Stance on each section", "Thank you to everyone")
    for words in figures:
        assert words.replace(" ", "") in text, words
    # The figures themselves: five people took part, one supports the whole
    # proposal (100%), two of the four comments have an official answer.
    assert "Peoplewhotookpart5" in text
    assert "Support1100%" in text
    assert "Officialsanswered2of4publiccomments" in text
    reader.context.close()
