"""Two moderators on the queue page: a report arrives without a reload, one
takes the item from the keyboard and the other sees who has it, takes it
over, hides it, and it leaves the first one's page."""

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from discussion.comments import services
from discussion.moderation import services as moderation
from tests.e2e.conftest import in_thread, open_live, sign_in, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_updates_live_for_two_moderators(
    asgi_live_server, browser, page, open_proposal, people, make_user, grant, tree
):
    base = asgi_live_server.url
    grant(make_user("ana@example.org", display_name="Ana"), tree.city_office, Role.MODERATOR)
    grant(make_user("bo@example.org", display_name="Bo"), tree.ministry, Role.MODERATOR)
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Cheap pills at example.com/x"
    )

    ana = page
    sign_in(ana, base, "ana@example.org")
    ana.get_by_role("link", name="Moderation").click()
    expect(ana.locator("[data-queue]")).to_have_attribute("data-live", "connected")
    expect(ana.get_by_text("Nothing is waiting for a moderator here.")).to_be_visible()
    bo = signed_in_page(browser, base, "bo@example.org")
    open_live(bo, f"{base}/discussion/moderation/", "[data-queue]")

    reader = make_user()
    # From a thread of its own, as a request would: this one runs Playwright's
    # event loop, where the on-commit broadcast cannot be sent.
    in_thread(moderation.comment_report, actor=reader, comment=comment, reason="spam", note="ads")
    item = ana.locator(f"#queue-item-{comment.pk}")
    expect(item).to_contain_text("Cheap pills")
    expect(item).to_contain_text("“ads”")
    expect(ana.locator("[data-queue-status]")).to_have_text("A new item arrived in the queue.")

    # Ana takes it from the keyboard: j to the item, x to select it.
    ana.locator("h1").click()
    ana.keyboard.press("j")
    box = ana.get_by_role("checkbox", name=f"Comment {comment.pk} by Citizen")
    expect(box).to_be_focused()
    ana.keyboard.press("x")
    expect(box).to_be_checked()
    expect(item.locator("[data-claim]")).to_have_text("Taken by you")
    bos_item = bo.locator(f"#queue-item-{comment.pk}")
    expect(bos_item.locator("[data-claim]")).to_have_text("Taken by Ana")
    expect(bo.get_by_role("checkbox", name=f"Comment {comment.pk} by Citizen")).to_be_disabled()

    # Bo takes it over (a plain form), and Ana sees that at once.
    bos_item.get_by_role("button", name="Take over").click()
    expect(bo.locator(".messages")).to_contain_text(f"Taken: Comment {comment.pk} by Citizen.")
    expect(item.locator("[data-claim]")).to_have_text("Taken by Bo")
    expect(box).to_be_disabled()
    expect(box).not_to_be_checked()

    bo.get_by_role("checkbox", name=f"Comment {comment.pk} by Citizen").check()
    bo.get_by_label("Reason shown to the public (for hiding)").fill("Advertising")
    bo.get_by_role("button", name="Hide with this reason").click()
    expect(bo.locator(".messages")).to_contain_text(f"Hidden: Comment {comment.pk} by Citizen.")
    expect(item).to_have_count(0)
    expect(ana.locator("[data-queue-status]")).to_have_text(
        "An item left the queue: it was decided."
    )
