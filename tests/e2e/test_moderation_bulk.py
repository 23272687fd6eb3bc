"""A moderator clears the queue with bulk actions while a citizen watches the
section: the reported comments turn into their public reason, and the held
one appears, without a reload."""

import pytest
from playwright.sync_api import expect

from discussion.comments import services
from discussion.models import ModerationPolicy
from discussion.moderation import services as moderation
from tests.e2e.conftest import in_thread, open_live, section_url, sign_in, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_moderator_clears_the_queue_in_bulk_while_a_citizen_watches(
    asgi_live_server, browser, page, open_proposal, section, people, make_user
):
    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    spam = [
        in_thread(
            services.comment_create,
            actor=make_user(display_name=name),
            proposal=open_proposal,
            section=section,
            body=body,
        )
        for name, body in (
            ("Seller One", "Cheap parking permits, call now"),
            ("Seller Two", "Best price permits, message me"),
        )
    ]
    for comment in spam:
        in_thread(moderation.comment_report, actor=make_user(), comment=comment, reason="spam")
    ModerationPolicy.objects.create(proposal=open_proposal, hold_all=True)
    held = in_thread(
        services.comment_create,
        actor=make_user(display_name="Careful Writer"),
        proposal=open_proposal,
        section=section,
        body="A crossing patrol at the school gate would help more than cameras.",
    )

    make_user("watcher@example.org", display_name="Wanda Watcher")
    citizen = signed_in_page(browser, base, "watcher@example.org")
    open_live(citizen, url)
    for comment in spam:
        expect(citizen.locator(f"#comment-{comment.pk}")).to_contain_text(comment.body)
    # Held for review: not on the citizen's page.
    expect(citizen.locator(f"#comment-{held.pk}")).to_have_count(0)

    moderator = page
    sign_in(moderator, base, people.moderator.email)
    moderator.get_by_role("link", name="Moderation").click()
    expect(moderator.locator("[data-queue]")).to_have_attribute("data-live", "connected")
    expect(moderator.get_by_role("heading", name="3 items waiting")).to_be_visible()

    # The reported ones first: filter, select the page, hide with one reason.
    moderator.get_by_label("Show", exact=True).select_option("reported")
    moderator.get_by_role("button", name="Apply filters").click()
    expect(moderator.get_by_role("heading", name="2 items waiting")).to_be_visible()
    moderator.get_by_role("link", name="Select every item on this page").click()
    boxes = moderator.locator("[data-queue-items] input[type=checkbox]")
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    moderator.get_by_label("Reason shown to the public (for hiding)").fill("Advertising")
    moderator.get_by_label("Category").select_option("spam")
    moderator.get_by_role("button", name="Hide with this reason").click()
    expect(moderator.locator(".messages")).to_contain_text(
        f"Hidden: Comment {spam[0].pk} by Seller One; Comment {spam[1].pk} by Seller Two."
    )
    expect(moderator.get_by_text("Nothing is waiting for a moderator here.")).to_be_visible()

    # The citizen's page: the words are gone, the public reason is in their place.
    for comment in spam:
        shown = citizen.locator(f"#comment-{comment.pk}")
        expect(shown).to_contain_text("Removed by a moderator: Advertising")
        expect(shown).not_to_contain_text(comment.body)

    # Then the held one: every kind, select the page, approve.
    moderator.get_by_label("Show", exact=True).select_option("all")
    moderator.get_by_role("button", name="Apply filters").click()
    expect(moderator.get_by_role("heading", name="1 item waiting")).to_be_visible()
    moderator.get_by_role("link", name="Select every item on this page").click()
    moderator.get_by_role("button", name="Approve").click()
    expect(moderator.locator(".messages")).to_contain_text(
        f"Approved: Comment {held.pk} by Careful Writer."
    )
    expect(moderator.get_by_text("Nothing is waiting for a moderator here.")).to_be_visible()

    # It appears on the citizen's page as it is approved, without a reload.
    expect(citizen.locator(f"#comment-{held.pk}")).to_contain_text("A crossing patrol")
    expect(citizen.locator("[data-live-announcer]")).to_have_text("New comment")
