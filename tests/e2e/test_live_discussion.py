"""Two people on one section: one posts, the other sees it appear without a
reload while their own half-typed reply stays exactly as it was."""

import time

import pytest
from playwright.sync_api import expect

from discussion.comments import services
from discussion.comments.limits import DEFAULT_MIN_FILL_SECONDS as MIN_FILL_SECONDS
from tests.e2e.conftest import in_thread, new_page, open_live, section_url, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_comment_appears_live_without_disturbing_a_reply_being_typed(
    asgi_live_server, browser, open_proposal, section, people, make_user
):
    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    make_user("reader@example.org", display_name="Rita Reader")
    make_user("writer@example.org", display_name="Wen Writer")
    services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="First point"
    )

    reader = signed_in_page(browser, base, "reader@example.org")
    open_live(reader, url)
    reader.get_by_text("Reply", exact=True).first.click()
    half_typed = "I half agree, because"
    reply_box = reader.get_by_label("Your reply to Citizen")
    reply_box.fill(half_typed)

    writer = signed_in_page(browser, base, "writer@example.org")
    writer.goto(url)
    drawn = time.monotonic()
    expect(writer.locator("article.section-page")).to_have_attribute("data-live", "connected")
    writer.get_by_label("Your comment").fill("Cameras near schools work: **fewer** near misses.")
    # A form sent within seconds of the page loading is refused as a script's;
    # a person takes longer than that to write.
    time.sleep(max(0.0, MIN_FILL_SECONDS + 0.2 - (time.monotonic() - drawn)))
    writer.get_by_role("button", name="Post comment").click()
    # Posted over the socket: the box empties and the comment arrives as an event.
    expect(writer.get_by_label("Your comment")).to_have_value("")
    expect(writer.locator("article.comment", has_text="Cameras near schools work")).to_be_visible()

    new_comment = reader.locator("article.comment", has_text="Cameras near schools work")
    expect(new_comment).to_be_visible()
    expect(new_comment.locator("strong", has_text="fewer")).to_be_visible()
    expect(reader.locator("[data-live-announcer]")).to_have_text("New comment")
    # The reader's own reply box is untouched: same text, still open, still focused.
    expect(reply_box).to_have_value(half_typed)
    expect(reply_box).to_be_focused()
    # And the live comment can be answered straight away, without a reload.
    new_comment.get_by_text("Reply", exact=True).click()
    expect(new_comment.get_by_label("Your reply to Wen Writer")).to_be_visible()

    # Voting goes over the socket; the writer sees the tally change live.
    new_comment.get_by_role("button", name="Agree", exact=True).click()
    expect(new_comment.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    writers_view = writer.locator("article.comment", has_text="Cameras near schools work")
    expect(writers_view.locator('[data-count="agree"]')).to_have_text("1")
    expect(reply_box).to_have_value(half_typed)

    reply_box.press_sequentially(" it slows traffic.")
    reader.locator("article.comment", has_text="First point").get_by_role(
        "button", name="Post reply"
    ).click()
    expect(reply_box).to_have_value("")
    readers_reply = writer.locator("article.comment", has_text="I half agree, because it slows")
    expect(readers_reply).to_be_visible()

    # The writer answers the reader; the reader's unread count goes up live.
    badge = reader.locator("[data-unread]")
    expect(badge).to_be_hidden()
    time.sleep(MIN_FILL_SECONDS + 0.2)
    readers_reply.get_by_text("Reply", exact=True).click()
    readers_reply.get_by_label("Your reply to Rita Reader").fill("Traffic is slower, yes.")
    readers_reply.get_by_role("button", name="Post reply").click()
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1 unread")

    # A refusal keeps the text where it was typed, with the reason beside it.
    writer.get_by_label("Your comment").fill("   ")
    writer.get_by_role("button", name="Post comment").click()
    expect(writer.get_by_role("alert")).to_contain_text("Write something before posting.")
    expect(writer.get_by_label("Your comment")).to_have_value("   ")
    reader.context.close()
    writer.context.close()


def test_a_new_thread_on_another_page_is_announced_with_a_link_to_it(
    asgi_live_server, browser, open_proposal, people
):
    """Oldest first, a new thread goes at the end: a reader of page 1 of 3 is
    told, and the notice takes them to the page that shows it."""
    from consult.testing.data import bulk_comments

    base = asgi_live_server.url
    url = f"{base}{open_proposal.get_absolute_url()}discussion/"
    bulk_comments(proposal=open_proposal, section=None, author=people.citizen, count=225)

    reader = new_page(browser)
    open_live(reader, url, "article.proposal")
    notice = reader.locator("[data-later-page-notice]")
    expect(notice).to_be_hidden()

    comment = in_thread(
        services.comment_create,
        actor=people.citizen,
        proposal=open_proposal,
        body="A forty-sixth thread",
    )
    expect(notice).to_be_visible()
    link = notice.get_by_role("link", name="Go to the new comment")
    expect(link).to_have_attribute("href", f"?sort=oldest&page=last#comment-{comment.pk}")
    expect(reader.locator("[data-live-announcer]")).to_have_text(
        "New comment on another page of this discussion"
    )
    # Not shown on this page, where it does not belong.
    expect(reader.locator(f"#comment-{comment.pk}")).to_have_count(0)

    link.click()
    expect(reader.locator(f"#comment-{comment.pk}")).to_be_visible()
    # The last page: the way back, and nothing further.
    pages = reader.locator("nav.pagination")
    expect(pages.get_by_role("link", name="Previous")).to_be_visible()
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)
    reader.context.close()


def test_my_new_comment_offers_edit_and_delete_at_once_and_edit_goes_when_its_window_closes(
    asgi_live_server, browser, open_proposal, section, people, make_user
):
    from datetime import timedelta

    from django.utils import timezone

    from discussion.models import Comment

    base = asgi_live_server.url
    url = section_url(base, open_proposal, section)
    make_user("writer@example.org", display_name="Wen Writer")
    make_user("reader@example.org", display_name="Rita Reader")

    writer = signed_in_page(browser, base, "writer@example.org")
    writer.goto(url)
    drawn = time.monotonic()
    expect(writer.locator("article.section-page")).to_have_attribute("data-live", "connected")
    reader = signed_in_page(browser, base, "reader@example.org")
    open_live(reader, url)

    writer.get_by_label("Your comment").fill("Mine, just posted.")
    time.sleep(max(0.0, MIN_FILL_SECONDS + 0.2 - (time.monotonic() - drawn)))
    writer.get_by_role("button", name="Post comment").click()
    expect(writer.get_by_label("Your comment")).to_have_value("")
    mine = writer.locator("article.comment", has_text="Mine, just posted.")
    # No reload: the author sees Edit and Delete on the comment as it arrives.
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    # Another reader sees neither.
    theirs = reader.locator("article.comment", has_text="Mine, just posted.")
    expect(theirs).to_be_visible()
    expect(theirs.get_by_role("link", name="Edit")).to_have_count(0)
    expect(theirs.get_by_role("button", name="Delete")).to_have_count(0)
    assert writer.evaluate("document.body.dataset.userId") is None

    # A comment whose edit window closes in a few seconds: Edit goes then.
    comment = Comment.objects.get(body="Mine, just posted.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - services.edit_window() + timedelta(seconds=4)
    )
    writer.reload()
    mine = writer.locator("article.comment", has_text="Mine, just posted.")
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    expect(mine.get_by_role("link", name="Edit")).to_have_count(0, timeout=10_000)
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    reader.context.close()
    writer.context.close()


@pytest.fixture
def quick_session_checks(monkeypatch):
    # Read by the server started after this (asgi_live_server).
    monkeypatch.setenv("SOCKET_SESSION_CHECK_SECONDS", "1")


def test_an_open_page_is_told_when_its_session_ends_while_idle(
    quick_session_checks, asgi_live_server, browser, open_proposal, section, make_user
):
    from importlib import import_module

    from django.conf import settings

    from consult.accounts import sessions

    base = asgi_live_server.url
    make_user("idle@example.org", display_name="Ida Idle")
    page = signed_in_page(browser, base, "idle@example.org")
    open_live(page, section_url(base, open_proposal, section))

    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(cookie["value"])
    store[sessions.SEEN] -= settings.CONSULT_SESSION_IDLE_TIMEOUT + 5
    store.save()
    # Nothing is clicked: the server's check closes the socket and says why.
    expect(page.locator("article.section-page")).to_have_attribute(
        "data-live", "disconnected", timeout=10_000
    )
    expect(page.locator("[data-live-status]")).to_have_text(str(sessions.IDLE_ENDED))
    page.context.close()
