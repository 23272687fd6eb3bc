"""A citizen renames themself from "Your activity"; a reader with the thread
open sees the new name on their comment, and in the reply box's label,
without a reload."""

import pytest
from playwright.sync_api import expect

from discussion.comments import services
from tests.e2e.conftest import open_live, section_url, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_open_thread_shows_the_new_name_without_a_reload(
    asgi_live_server, browser, open_proposal, section, people, make_user
):
    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    make_user("reader@example.org", display_name="Rita Reader")
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Slower cars"
    )

    reader = signed_in_page(browser, base, "reader@example.org")
    open_live(reader, url)
    byline = reader.locator(f"#comment-{comment.pk}-by")
    expect(byline).to_have_text("Citizen")
    reader.locator(f"#comment-{comment.pk}").get_by_text("Reply", exact=True).click()
    expect(reader.get_by_label("Your reply to Citizen")).to_be_visible()

    citizen = signed_in_page(browser, base, people.citizen.email)
    citizen.goto(base + "/accounts/activity/")
    expect(citizen.locator("#activity-comments")).to_contain_text("Slower cars")
    citizen.get_by_role("link", name="Change your display name").click()
    citizen.get_by_label("Display name").fill("Ada Lovelace")
    citizen.get_by_role("button", name="Save the name").click()
    expect(citizen.locator(".messages")).to_contain_text("Ada Lovelace")

    expect(byline).to_have_text("Ada Lovelace")
    expect(reader.get_by_label("Your reply to Ada Lovelace")).to_be_visible()
    # A page drawn now has it too.
    reader.reload()
    expect(reader.locator(f"#comment-{comment.pk}-by")).to_have_text("Ada Lovelace")
