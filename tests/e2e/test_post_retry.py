"""A post whose answer is lost with the socket: the text stays in its box,
the page sends the same post again (same key) once the socket is back, and
the comment is stored once and shown once."""

import json
import time

import pytest
from playwright.sync_api import expect

from discussion.comments.limits import DEFAULT_MIN_FILL_SECONDS as MIN_FILL_SECONDS
from discussion.models import Comment
from tests.e2e.conftest import section_url, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_post_whose_answer_is_lost_is_sent_again_and_stored_once(
    asgi_live_server, browser, open_proposal, section, make_user
):
    base = asgi_live_server.url
    make_user("writer@example.org", display_name="Wen Writer")
    page = signed_in_page(browser, base, "writer@example.org")
    posts: list[dict] = []
    connections = []

    def through(socket):
        """The first socket carries the post to the server and then goes down
        before anything comes back; later ones pass everything through."""
        connections.append(socket)
        server = socket.connect_to_server()
        cut = {"down": False}

        def to_server(message):
            frame = json.loads(message)
            if frame.get("type") == "comment.post":
                posts.append(frame)
            if not cut["down"]:
                server.send(message)
            if frame.get("type") == "comment.post" and len(connections) == 1:
                cut["down"] = True
                time.sleep(1)  # long enough for the server to store it
                socket.close()

        def to_page(message):
            if not cut["down"]:
                socket.send(message)

        socket.on_message(to_server)
        server.on_message(to_page)

    page.route_web_socket("**/ws/proposals/**", through)
    page.goto(section_url(base, open_proposal, section))
    drawn = time.monotonic()
    expect(page.locator("article.section-page")).to_have_attribute("data-live", "connected")
    box = page.get_by_label("Your comment")
    box.fill("Answer lost, words kept")
    time.sleep(max(0.0, MIN_FILL_SECONDS + 0.2 - (time.monotonic() - drawn)))
    page.get_by_role("button", name="Post comment").click()

    # Sent again on the next socket; answered there; the box empties only then.
    expect(box).to_have_value("")
    mine = page.locator("article.comment", has_text="Answer lost, words kept")
    expect(mine).to_have_count(1)
    assert len(connections) >= 2
    assert len(posts) >= 2 and len({post["key"] for post in posts}) == 1
    assert Comment.objects.filter(body="Answer lost, words kept").count() == 1
    # The next draft has a key of its own.
    assert page.locator("form[data-comment-form] input[name=key]").input_value() != posts[0]["key"]
