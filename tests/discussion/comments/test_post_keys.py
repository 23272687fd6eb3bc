"""A post's key: the same post sent again (a lost answer, a double click, two
attempts at once) is stored once and answered as the first was; a key that
does not fit is refused with words, and nothing is written."""

import threading
import uuid

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection

from discussion.comments import keys, places, services
from discussion.models import Comment, Event
from tests.discussion.conftest import section_url
from tests.live_helpers import human

pytestmark = pytest.mark.django_db


def submit(actor, proposal, body="Slower traffic near schools", *, key, section=None, parent=None):
    place = places.comment_place(
        proposal=proposal,
        section_id=section.pk if section else None,
        parent_id=parent.pk if parent else None,
    )
    return services.comment_submit(
        actor=actor, ip="203.0.113.9", proposal=proposal, body=body, place=place, key=key
    )


def test_the_same_post_sent_again_is_stored_once_and_answered_with_the_first(
    open_proposal, section, people, settings
):
    # A limit of one comment a minute: the retry must not be counted as a second post.
    settings.CONSULT_RATE_LIMITS = {"comment": {"user": ["1/60"], "ip": []}}
    key = str(uuid.uuid4())
    first = submit(people.citizen, open_proposal, key=key, section=section)
    again = submit(people.citizen, open_proposal, key=key, section=section)
    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    assert Comment.objects.get().client_key == uuid.UUID(key)
    # One event, one count: the retry set nothing off.
    assert Event.objects.filter(type="comment.created").count() == 1


def test_a_reply_sent_again_is_stored_once(open_proposal, section, people, make_user):
    parent = submit(make_user(), open_proposal, key=None, section=section)
    key = str(uuid.uuid4())
    first = submit(people.citizen, open_proposal, "Agreed", key=key, parent=parent)
    assert submit(people.citizen, open_proposal, "Agreed", key=key, parent=parent) == first
    assert Comment.objects.get(pk=parent.pk).reply_count == 1


def test_posts_without_a_key_are_each_stored(open_proposal, section, people):
    submit(people.citizen, open_proposal, key=None, section=section)
    submit(people.citizen, open_proposal, key="", section=section)
    assert Comment.objects.count() == 2


def test_a_retry_after_an_edit_or_a_deletion_still_finds_the_first(open_proposal, section, people):
    key = str(uuid.uuid4())
    first = submit(people.citizen, open_proposal, "Original words", key=key, section=section)
    services.comment_edit(actor=people.citizen, comment=first, body="Better words")
    assert (
        submit(people.citizen, open_proposal, "Original words", key=key, section=section) == first
    )
    services.comment_delete(actor=people.citizen, comment=first)
    assert (
        submit(people.citizen, open_proposal, "Original words", key=key, section=section) == first
    )
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("not-a-key", "is not a UUID"),
        ("00000000-0000-0000-0000-000000000000", "is not a UUID"),
        ("8888c3bd-fbeb-4e90-82fe-43bd06032d1f" + "0" * 40, "is 76 characters long"),
    ],
)
def test_a_malformed_key_is_refused_and_nothing_is_written(
    open_proposal, section, people, key, words
):
    with pytest.raises(ValidationError, match=words):
        submit(people.citizen, open_proposal, key=key, section=section)
    assert not Comment.objects.exists()


def test_another_persons_key_is_refused(open_proposal, section, people, make_user):
    key = str(uuid.uuid4())
    submit(make_user(), open_proposal, key=key, section=section)
    with pytest.raises(ValidationError, match="belongs to another person"):
        submit(people.citizen, open_proposal, key=key, section=section)
    assert not Comment.objects.filter(author=people.citizen).exists()


def test_the_same_key_with_other_words_or_another_place_is_refused(open_proposal, section, people):
    key = str(uuid.uuid4())
    submit(people.citizen, open_proposal, "First words", key=key, section=section)
    with pytest.raises(ValidationError, match="A different comment was already posted"):
        submit(people.citizen, open_proposal, "Other words", key=key, section=section)
    with pytest.raises(ValidationError, match="A different comment was already posted"):
        submit(people.citizen, open_proposal, "First words", key=key)  # the general discussion
    assert Comment.objects.count() == 1


def test_a_retry_that_loses_the_race_gets_the_stored_comment(
    open_proposal, section, people, monkeypatch
):
    """The other attempt committed between this one's look-up and its insert:
    the database's constraint refuses the second row, and the answer is the first."""
    key = str(uuid.uuid4())
    first = submit(people.citizen, open_proposal, key=key, section=section)
    real = keys.posted_with_key
    calls = []

    def looked_up_too_early(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(keys, "posted_with_key", looked_up_too_early)
    assert submit(people.citizen, open_proposal, key=key, section=section) == first
    assert len(calls) == 2
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_attempts_arriving_together_store_one_comment(tree, make_user, grant):
    from consult.accounts.models import Role
    from consult.testing.data import open_consultation

    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    proposal = open_consultation(
        official=official, department=tree.ministry, jurisdiction=tree.nation, title="Busy"
    )
    author, key = make_user(), str(uuid.uuid4())
    barrier = threading.Barrier(6)
    answers, errors = [], []

    def attempt():
        try:
            barrier.wait()
            answers.append(submit(author, proposal, "Once only", key=key).pk)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Comment.objects.filter(author=author).count() == 1
    assert set(answers) == {Comment.objects.get(author=author).pk}


# --- The plain form ---------------------------------------------------------------


def form_post(client, proposal, **data):
    return client.post(f"{proposal.get_absolute_url()}comments/", human(**data))


def test_the_plain_form_carries_a_new_key_each_time_it_is_drawn(
    client, open_proposal, section, people
):
    client.force_login(people.citizen)
    drawn = []
    for _ in range(2):
        page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
        form = page.find("form", attrs={"data-comment-form": True})
        drawn.append(uuid.UUID(form.find("input", attrs={"name": "key"})["value"]))
    assert drawn[0] != drawn[1]


def test_a_reply_form_drawn_for_one_page_carries_a_key_and_a_live_one_none(
    client, open_proposal, section, people
):
    comment = submit(people.citizen, open_proposal, key=None, section=section)
    client.force_login(people.citizen)
    # The discussion page links to the comment's own page, where the reply box is.
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    link = page.find("a", class_="reply-link")["href"].split("#")[0]
    page = BeautifulSoup(client.get(link).content, "html.parser")
    reply = page.find("input", attrs={"name": "parent", "value": str(comment.pk)}).parent
    assert uuid.UUID(reply.find("input", attrs={"name": "key"})["value"])
    # A live fragment is drawn once for every listener: no key (the script makes one).
    live = services.comment_fragment(comment)["en"]
    assert 'name="key" value=""' in live


def test_a_double_submit_of_the_plain_form_is_stored_once_and_redirected_to_it(
    client, open_proposal, section, people
):
    client.force_login(people.citizen)
    key = str(uuid.uuid4())
    first = form_post(client, open_proposal, body="Twice clicked", section=section.pk, key=key)
    second = form_post(client, open_proposal, body="Twice clicked", section=section.pk, key=key)
    comment = Comment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert second["Location"].endswith(f"#comment-{comment.pk}")


def test_the_plain_form_refuses_a_bad_key_with_words_and_a_new_key(
    client, open_proposal, section, people, make_user
):
    client.force_login(people.citizen)
    response = form_post(client, open_proposal, body="Kept", section=section.pk, key="12345")
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert "is not a UUID" in page.get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "Kept"
    assert uuid.UUID(page.find("input", attrs={"name": "key"})["value"])
    assert not Comment.objects.exists()

    key = str(uuid.uuid4())
    submit(make_user(), open_proposal, key=key, section=section)
    response = form_post(client, open_proposal, body="Kept", section=section.pk, key=key)
    assert response.status_code == 400
    assert "belongs to another person" in response.content.decode()
    assert not Comment.objects.filter(author=people.citizen).exists()
