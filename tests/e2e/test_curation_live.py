"""A moderator's curation reaches a reader's open page at once (badges, themes,
"similar to"), without touching the reply the reader is typing; a moderator
works from the "Moderate" box with JavaScript on."""

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from discussion.comments import services
from discussion.moderation import curation
from discussion.moderation import services as moderation
from tests.e2e.conftest import in_thread, open_live, section_url, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curation_shows_live_and_leaves_a_half_typed_reply_alone(
    asgi_live_server, browser, open_proposal, section, people, make_user, grant, tree
):
    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    make_user("reader@example.org", display_name="Rita Reader")
    grant(make_user("mod@example.org", display_name="Mo Moderator"), tree.ministry, Role.MODERATOR)
    first = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Slow the cars"
    )
    second = services.comment_create(
        actor=make_user(display_name="Sam"), proposal=open_proposal, section=section, body="Same"
    )

    reader = signed_in_page(browser, base, "reader@example.org")
    open_live(reader, url)
    target = reader.locator(f"#comment-{first.pk}")
    target.get_by_text("Reply", exact=True).click()
    reply_box = target.get_by_label("Your reply to Citizen")
    reply_box.fill("Yes, because")

    mod = people.moderator
    in_thread(lambda: curation.comment_highlight(actor=mod, comment=first))
    in_thread(lambda: curation.comment_pin(actor=mod, comment=first))
    in_thread(lambda: curation.comment_theme_add(actor=mod, comment=first, name="Speed"))
    in_thread(lambda: curation.comment_mark_duplicate(actor=mod, comment=second, original=first.pk))

    expect(target.locator(".comment-badge-highlighted")).to_have_text("Highlighted by moderators")
    expect(target.locator(".comment-badge-pinned")).to_have_text("Pinned")
    expect(target.locator(".theme-chip")).to_have_text("Speed")
    similar = reader.locator(f"#comment-{second.pk} .duplicate-note a")
    expect(similar).to_have_text("Similar to an earlier comment")
    expect(reply_box).to_have_value("Yes, because")
    expect(reply_box).to_be_focused()
    expect(reader.locator(".moderate-box")).to_have_count(0)

    # Hidden, the badges and themes leave the page with the words.
    in_thread(lambda: moderation.comment_hide(actor=mod, comment=second, reason="Copy"))
    expect(reader.locator(f"#comment-{second.pk} .tombstone")).to_contain_text("Copy")
    expect(reader.locator(f"#comment-{second.pk} .duplicate-note")).to_have_count(0)
    reader.context.close()

    moderator = signed_in_page(browser, base, "mod@example.org")
    moderator.goto(url)
    box = moderator.locator(f"#comment-{first.pk} details.moderate-box")
    box.get_by_text("Moderate", exact=True).click()
    box.get_by_label("Add a theme").fill("Schools")
    box.get_by_role("button", name="Add theme").click()
    expect(moderator.locator(".messages")).to_contain_text("The theme is added.")
    themes = moderator.locator(f"#comment-{first.pk} .comment-curation .theme-chip")
    expect(themes).to_have_text(["Schools", "Speed"])
    moderator.context.close()
