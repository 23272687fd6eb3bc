"""Pages know which comments are the reader's own without any account number:
each comment carries its author's mark, a keyed hash that differs between
consultations and is gone once the account is deleted; the page and its
socket tell a signed-in reader their own mark. Edit is offered only while an
edit would be accepted."""

import re
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from asgi import application
from consult.privacy.services import erasure as privacy
from discussion.comments import marks, services
from discussion.models import Comment, Event
from tests.conftest import PASSWORD
from tests.discussion.conftest import section_url
from tests.live_helpers import next_message, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# An account number nobody could mistake for anything else on a page.
AUTHOR_ID = 987654321


@pytest.fixture
def author(make_user):
    return make_user("author@example.org", display_name="Ada Author", id=AUTHOR_ID)


def general_url(proposal) -> str:
    return f"{proposal.get_absolute_url()}discussion/"


def mark_of(html: str, comment: Comment) -> str:
    found = re.search(rf'id="comment-{comment.pk}"[^>]*data-author="([^"]*)"', html)
    assert found, f"comment {comment.pk} is not on the page"
    return found[1]


def assert_no_account_number(text: str) -> None:
    assert str(AUTHOR_ID) not in text
    assert "data-author-id" not in text
    assert "data-user-id" not in text


def test_no_account_number_on_pages_or_in_fragments(client, open_proposal, section, people, author):
    on_section = services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="On the section"
    )
    general = services.comment_create(actor=author, proposal=open_proposal, body="In general")
    for reader in (None, people.citizen, author):
        if reader is None:
            client.logout()
        else:
            client.force_login(reader)
        for url in (section_url(open_proposal, section), general_url(open_proposal)):
            response = client.get(url)
            assert response.status_code == 200
            assert_no_account_number(response.content.decode())
    for comment in (on_section, general):
        for html in services.comment_fragment(comment).values():
            assert_no_account_number(html)
    for event in Event.objects.filter(proposal=open_proposal):
        assert_no_account_number(str(event.payload))


def test_the_author_reads_their_own_mark_on_the_page(client, open_proposal, section, author):
    comment = services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="Mine"
    )
    client.force_login(author)
    page = client.get(section_url(open_proposal, section)).content.decode()
    mine = marks.author_mark(proposal_id=open_proposal.pk, user=author)
    assert mine and f'data-me="{mine}"' in page
    assert mark_of(page, comment) == mine


def test_one_person_has_another_mark_in_another_consultation(
    client, open_proposal, make_proposal, section, author
):
    other = make_proposal(title="Another consultation")
    here = services.comment_create(actor=author, proposal=open_proposal, body="Here")
    there = services.comment_create(actor=author, proposal=other, body="There")
    first = mark_of(client.get(general_url(open_proposal)).content.decode(), here)
    second = mark_of(client.get(general_url(other)).content.decode(), there)
    assert first and second and first != second


def test_after_the_account_is_deleted_its_comments_carry_no_mark(
    client, open_proposal, section, author
):
    comment = services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="Soon anonymous"
    )
    before = mark_of(client.get(section_url(open_proposal, section)).content.decode(), comment)
    assert before
    privacy.account_delete(actor=author, user=author, password=PASSWORD)
    author.refresh_from_db()
    assert marks.author_mark(proposal_id=open_proposal.pk, user=author) != before
    page = client.get(section_url(open_proposal, section)).content.decode()
    assert mark_of(page, comment) == ""
    assert before not in page
    # The live history is drawn again without it (a replay brings nothing back).
    for event in Event.objects.filter(proposal=open_proposal, type="comment.created"):
        assert before not in str(event.payload)


async def test_the_socket_says_who_i_am_as_a_mark_and_events_carry_no_account_number(
    open_proposal, section, author
):
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = sign_in(
        WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers), author
    )
    await socket.connect()
    hello = await next_message(socket)
    assert hello["me"] == marks.author_mark(proposal_id=open_proposal.pk, user=author)
    assert_no_account_number(str(hello))
    await sync_to_async(services.comment_create)(
        actor=author, proposal=open_proposal, section=section, body="Live"
    )
    created = await next_message(socket)
    assert created["type"] == "comment.created"
    assert_no_account_number(str(created))
    assert f'data-author="{hello["me"]}"' in created["html"]
    await socket.disconnect()


def test_edit_is_drawn_only_within_the_edit_window(client, open_proposal, section, author):
    comment = services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="Editable for a while"
    )
    client.force_login(author)
    edit_link = f'href="/discussion/comments/{comment.pk}/edit/"'
    page = client.get(section_url(open_proposal, section)).content.decode()
    until = (comment.created_at + services.edit_window()).replace(microsecond=0)
    assert edit_link in page
    assert f'data-editable-until="{until.isoformat()}"' in page
    assert f"/discussion/comments/{comment.pk}/delete/" in page

    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - services.edit_window() - timedelta(seconds=1)
    )
    page = client.get(section_url(open_proposal, section)).content.decode()
    assert edit_link not in page
    # Deleting has no window.
    assert f"/discussion/comments/{comment.pk}/delete/" in page


def test_a_live_fragment_carries_edit_and_delete_for_the_script_to_show_its_author(
    open_proposal, section, author
):
    comment = services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="Live one"
    )
    html = services.comment_fragment(comment)["en"]
    assert re.search(r"<a [^>]*data-editable-until=[^>]*data-own-only[^>]*hidden", html)
    assert re.search(r'<form [^>]*action="[^"]*/delete/"[^>]*data-own-only[^>]*hidden', html)
