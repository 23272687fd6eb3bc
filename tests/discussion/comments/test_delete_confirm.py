"""Deleting a comment asks first, without JavaScript: the Delete button leads
to a page that shows the comment and deletes it only on a second, deliberate
press; a stray click or a link deletes nothing."""

import pytest
from bs4 import BeautifulSoup

from discussion.comments import services
from discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(open_proposal, section, people):
    return services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Second thoughts", section=section
    )


def delete_url(comment: Comment) -> str:
    return f"/discussion/comments/{comment.pk}/delete/"


def test_the_delete_button_on_the_comment_leads_to_a_question_not_a_deletion(
    client, comment, people
):
    client.force_login(people.citizen)
    page = BeautifulSoup(client.get(comment.url_in_context()).content, "html.parser")
    form = page.find("form", attrs={"action": delete_url(comment)})
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    response = client.post(delete_url(comment), fields)
    assert response.status_code == 200
    assert "Delete your comment?" in response.content.decode()
    assert "Second thoughts" in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_deleted


def test_the_question_page_deletes_only_when_confirmed(client, comment, people):
    client.force_login(people.citizen)
    page = BeautifulSoup(client.get(delete_url(comment)).content, "html.parser")
    assert page.h1.get_text() == "Delete your comment?"
    keep = page.find("a", string="Keep it")
    assert keep["href"] == comment.url_in_context()
    comment.refresh_from_db()
    assert not comment.is_deleted

    form = page.find("form", class_="confirm-actions")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    assert fields["confirm"] == "yes"
    response = client.post(delete_url(comment), fields)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted


def test_only_the_author_is_asked(client, comment, make_user):
    client.force_login(make_user())
    assert client.get(delete_url(comment)).status_code == 404
    assert client.post(delete_url(comment), {"confirm": "yes"}).status_code == 404
    comment.refresh_from_db()
    assert not comment.is_deleted
