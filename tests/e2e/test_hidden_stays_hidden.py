"""What the page marks hidden stays hidden, whatever display rule its class
has: an anonymous reader sees no vote buttons on a comment that arrives live
(they could do nothing), a moderator sees no "Take over" on items nobody else
holds, and the summary page shows no stray "0 %" before a run."""

import pytest
from playwright.sync_api import expect

from discussion.comments import services
from discussion.moderation import services as moderation
from tests.e2e.conftest import in_thread, open_live, section_url, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_live_comment_shows_an_anonymous_reader_no_vote_buttons(
    asgi_live_server, page, open_proposal, section, people
):
    base = asgi_live_server.url
    open_live(page, section_url(base, open_proposal, section))

    in_thread(
        services.comment_create,
        actor=people.citizen,
        proposal=open_proposal,
        section=section,
        body="Arrived while you were reading",
    )
    comment = page.locator("article.comment", has_text="Arrived while you were reading")
    expect(comment).to_be_visible()
    expect(comment.locator("form.vote-form")).to_be_hidden()
    expect(comment.get_by_role("button", name="Agree")).to_have_count(0)
    expect(comment.locator("details.reply-box")).to_be_hidden()


def test_the_queue_offers_take_over_only_for_items_someone_else_holds(
    asgi_live_server, page, open_proposal, people, make_user
):
    base = asgi_live_server.url
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Buy cheap watches"
    )
    in_thread(moderation.comment_report, actor=make_user(), comment=comment, reason="spam")
    sign_in(page, base, people.moderator.email)
    page.goto(f"{base}/discussion/moderation/")
    item = page.locator(f"#queue-item-{comment.pk}")
    expect(item).to_contain_text("Buy cheap watches")
    expect(item.locator("[data-take-over]")).to_be_hidden()


def test_the_summary_shows_no_stray_percentage_before_a_run(
    asgi_live_server, page, open_proposal, people
):
    base = asgi_live_server.url
    sign_in(page, base, people.official.email)
    page.goto(f"{base}/consultations/{open_proposal.slug}/summary/")
    expect(page.get_by_text("No summary has been computed yet.")).to_be_visible()
    expect(page.locator("[data-summary-percent]")).to_be_hidden()
    expect(page.locator("[data-summary-bar]")).to_be_hidden()
