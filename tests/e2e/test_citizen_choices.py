"""In a real browser: a vote on a comment is taken back over the socket, and
the count drops for everyone without a reload; a display name is changed on
a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from discussion.comments import services
from tests.e2e.conftest import open_live, section_url, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_vote_is_withdrawn_live_and_withdrawing_is_offered_only_with_a_vote(
    asgi_live_server, browser, open_proposal, section, people, make_user
):
    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    make_user("reader@example.org", display_name="Rita Reader")
    services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Slow the traffic"
    )

    reader = signed_in_page(browser, base, "reader@example.org")
    open_live(reader, url)
    comment = reader.locator("article.comment", has_text="Slow the traffic")
    withdraw = comment.get_by_role("button", name="Withdraw my vote")
    agree = comment.get_by_role("button", name="Agree", exact=True)
    expect(withdraw).to_be_hidden()

    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(comment.locator('[data-count="agree"]')).to_have_text("1")
    expect(withdraw).to_be_visible()

    withdraw.click()
    expect(comment.locator('[data-count="agree"]')).to_have_text("0")
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(withdraw).to_be_hidden()
    expect(agree).to_be_focused()  # focus is not lost with the hidden button

    reader.reload()
    expect(comment.locator('[data-count="agree"]')).to_have_text("0")
    expect(withdraw).to_be_hidden()
    reader.context.close()


def test_a_display_name_is_changed_on_a_phone(asgi_live_server, browser, make_user):
    base = asgi_live_server.url
    make_user("reader@example.org", display_name="Rita Reader")
    make_user("other@example.org", display_name="Grace Hopper")
    page = signed_in_page(
        browser, base, "reader@example.org", viewport={"width": 390, "height": 844}
    )
    page.goto(base + "/accounts/name/")
    box = page.get_by_role("textbox", name="Display name")
    expect(box).to_have_value("Rita Reader")

    box.fill("grace hopper")
    page.get_by_role("button", name="Save the name").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone else is already called")
    expect(page.get_by_role("textbox", name="Display name")).to_have_value("grace hopper")

    persian = "مریم حسین\u200cزاده"
    page.get_by_role("textbox", name="Display name").fill(persian)
    page.get_by_role("button", name="Save the name").click()
    expect(page.locator(".messages")).to_contain_text(f"Your display name is now “{persian}”")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
