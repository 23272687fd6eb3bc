"""The discussion pages without JavaScript, their query counts at 100 and
10,000 comments, and hostile input that is refused without losing anything."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult.testing.data import bulk_comments
from discussion.comments import services
from discussion.models import Comment, CommentVote
from tests.discussion.conftest import section_url
from tests.live_helpers import human

pytestmark = pytest.mark.django_db


def bulk(proposal, section, author, n: int) -> None:
    bulk_comments(proposal=proposal, section=section, author=author, count=n)


def test_thread_page_query_count_is_the_same_at_100_and_10000_comments(
    client, open_proposal, section, people
):
    client.force_login(people.moderator)
    url = section_url(open_proposal, section)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    bulk(open_proposal, section, people.citizen, 100)
    at_100 = queries()
    bulk(open_proposal, section, people.citizen, 9900)
    assert Comment.objects.count() == 10_000
    assert queries() == at_100
    # The proposal page's 16 (one is the unread count), the moderator and the
    # official checks, the section, the last event number, the roots' count and
    # page, their replies, the official responses to them, my votes.
    assert at_100 == 25


def test_posting_with_the_plain_form_and_voting_and_deleting(
    client, open_proposal, section, people, make_user
):
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": "Plain form works", "section": section.pk}),
    )
    comment = Comment.objects.get()
    assert response["Location"] == f"{section_url(open_proposal, section)}#comment-{comment.pk}"
    voter = make_user()
    client.force_login(voter)
    client.post(f"/discussion/comments/{comment.pk}/vote/", {"value": "agree"})
    assert CommentVote.objects.get().value == "agree"
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    assert page.find("button", attrs={"value": "agree"})["aria-pressed"] == "true"
    client.force_login(people.citizen)
    client.post(f"/discussion/comments/{comment.pk}/delete/", {"confirm": "yes"})
    assert Comment.objects.get().is_deleted


HOSTILE = [
    "<script>alert(document.cookie)</script>",
    "[click](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "\u202egnp.exe",
    "Zalgo t̷̛̖e̵̥͊x̶̰̌t̸̢̓",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_text_is_stored_as_written_and_shown_harmless(
    client, open_proposal, section, people, body
):
    client.force_login(people.citizen)
    client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": body, "section": section.pk}),
    )
    comment = Comment.objects.get()
    assert comment.body == body.strip()
    html = client.get(section_url(open_proposal, section)).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html


def test_a_megabyte_comment_is_refused_and_the_text_comes_back(
    client, open_proposal, section, people
):
    client.force_login(people.citizen)
    body = "long " * 200_000
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": body, "section": section.pk}),
    )
    assert response.status_code in (400, 413)
    assert not Comment.objects.exists()
    if response.status_code == 400:
        assert "at most 5000 characters" in response.content.decode()


def test_an_overlong_comment_comes_back_in_the_form(client, open_proposal, section, people):
    client.force_login(people.citizen)
    body = "word " * 1100
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": body, "section": section.pk}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 5000 characters; this one has 5499" in page
    assert "word word word" in page  # the text is not lost
    assert not Comment.objects.exists()


def test_a_reply_to_a_deleted_comment_and_a_vote_on_a_closed_consultation_get_messages(
    client, open_proposal, section, people, make_user
):
    from proposals.services import lifecycle

    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="x"
    )
    services.comment_delete(actor=people.citizen, comment=comment)
    client.force_login(people.moderator)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": "late reply", "parent": comment.pk}),
    )
    assert response.status_code == 400
    assert "That comment has been deleted" in response.content.decode()
    other = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="y"
    )
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    response = client.post(
        f"/discussion/comments/{other.pk}/vote/", {"value": "agree"}, follow=True
    )
    assert "The discussion is closed: the consultation is closed." in response.content.decode()
    assert not CommentVote.objects.exists()
    assert Comment.objects.filter(body="late reply").count() == 0


def test_edit_page_only_for_the_author(client, open_proposal, section, people):
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="mine"
    )
    client.force_login(people.moderator)
    assert client.get(f"/discussion/comments/{comment.pk}/edit/").status_code == 404
    client.force_login(people.citizen)
    response = client.post(f"/discussion/comments/{comment.pk}/edit/", {"body": "mine, edited"})
    assert response.status_code == 302
    html = client.get(section_url(open_proposal, section)).content.decode()
    assert "mine, edited" in html and "edited</span>" in html


def test_the_whole_proposal_and_each_question_have_their_own_discussion(
    client, open_proposal, people
):
    question = open_proposal.questions.get()
    client.force_login(people.citizen)
    general = f"{open_proposal.get_absolute_url()}discussion/"
    answers = f"{open_proposal.get_absolute_url()}questions/{question.pk}/"
    detail = client.get(open_proposal.get_absolute_url()).content.decode()
    assert f'href="{general}"' in detail and f'href="{answers}"' in detail

    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/", human(**{"body": "On the whole"})
    )
    whole = Comment.objects.get(body="On the whole")
    assert response["Location"] == f"{general}#comment-{whole.pk}"
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": "My answer", "question": question.pk}),
    )
    answer = Comment.objects.get(body="My answer")
    assert answer.question_id == question.pk
    assert response["Location"] == f"{answers}#comment-{answer.pk}"

    general_page = client.get(general).content.decode()
    answers_page = client.get(answers).content.decode()
    assert "On the whole" in general_page and "My answer" not in general_page
    assert "My answer" in answers_page and "On the whole" not in answers_page
    assert question.prompt in answers_page
    assert client.get(f"{open_proposal.get_absolute_url()}questions/999999/").status_code == 404


def test_a_refused_general_comment_comes_back_with_its_text(client, open_proposal, people):
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/", human(**{"body": "x" * 5001})
    )
    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert "x" * 100 in response.content.decode()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("section", "not part of the published text"),
        ("question", "not part of this consultation"),
        ("parent", "only reply to a comment in the same discussion"),
    ],
)
def test_an_address_that_does_not_resolve_is_an_error_not_another_place(
    client, open_proposal, people, field, message
):
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": "Where am I?", field: 999999}),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Where am I?" in response.content.decode()
    assert not Comment.objects.exists()


def test_posting_on_a_section_dropped_from_the_new_version_keeps_the_text(
    client, open_proposal, section, people
):
    from proposals.services import drafts, versions

    drafts.section_remove(actor=people.official, section=section)
    versions.version_publish(actor=people.official, proposal=open_proposal, change_note="v2")
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(**{"body": "Typed before the change", "section": section.pk}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not part of the published text" in page
    assert "Typed before the change" in page
    assert not Comment.objects.exists()


def test_the_deepest_nested_level_marks_where_live_replies_must_continue(
    client, open_proposal, section, people
):
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="level 0"
    )
    for level in range(1, 4):
        comment = services.comment_create(
            actor=people.citizen, proposal=open_proposal, body=f"level {level}", parent=comment
        )
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    full = page.select("[data-replies-of][data-full]")
    assert [int(node["data-replies-of"]) for node in full] == [comment.pk]
    more = page.select_one(f'[data-continue-of="{comment.pk}"]')
    assert more.has_attr("hidden") and more.a["href"] == comment.get_absolute_url()
    assert page.select_one("[data-threads]")["data-sort"] == "oldest"
    assert page.select_one("[data-threads]").has_attr("data-last-page")

    services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="level 4", parent=comment
    )
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    assert not page.select_one(f'[data-continue-of="{comment.pk}"]').has_attr("hidden")
    assert "level 4" not in page.get_text()


def place_url(proposal, place: str) -> tuple[str, object]:
    if place == "question":
        question = proposal.questions.get()
        return f"{proposal.get_absolute_url()}questions/{question.pk}/", question
    return f"{proposal.get_absolute_url()}discussion/", None


def roots_shown(page) -> list[str]:
    return [
        p.get_text()
        for p in page.select("ol.threads > li > article .comment-body p")
        if p.get_text().startswith("root ")
    ]


@pytest.mark.parametrize("place", ["general", "question"])
def test_every_thread_of_the_whole_proposal_and_of_a_question_is_reached_by_page_links(
    client, open_proposal, people, place
):
    url, question = place_url(open_proposal, place)
    # 45 threads (and their 180 replies): pages of 20, 20 and 5.
    bulk_comments(
        proposal=open_proposal, section=None, question=question, author=people.citizen, count=225
    )
    expected = {1: range(0, 20), 2: range(20, 40), 3: range(40, 45)}
    address = url
    for number, roots in expected.items():
        page = BeautifulSoup(client.get(address).content, "html.parser")
        nav = page.find("nav", class_="pagination")
        assert bool(nav.find("a", rel="prev")) == (number > 1)
        assert roots_shown(page) == [f"root {i}" for i in roots]
        following = nav.find("a", rel="next")
        if number < 3:
            address = url + following["href"]
    assert following is None
    back = BeautifulSoup(client.get(url + nav.find("a", rel="prev")["href"]).content, "html.parser")
    assert roots_shown(back) == [f"root {i}" for i in expected[2]]
    # Where the live notice of a new thread sends a reader of oldest first:
    # the last twenty threads, the newest at the end.
    last = BeautifulSoup(client.get(f"{url}?sort=oldest&page=last").content, "html.parser")
    assert roots_shown(last) == [f"root {i}" for i in range(25, 45)]
    notice = last.find(attrs={"data-later-page-notice": True})
    assert notice.has_attr("hidden") and notice.find("a", attrs={"data-later-page-link": True})


@pytest.mark.parametrize(("place", "expected"), [("general", 13), ("question", 14)])
def test_general_and_question_pages_query_count_is_the_same_at_500_and_10000_comments(
    client, open_proposal, people, place, expected
):
    client.force_login(people.moderator)
    url, question = place_url(open_proposal, place)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + "?page=2")
        assert response.status_code == 200
        return len(captured)

    def bulk_here(n: int) -> None:
        bulk_comments(
            proposal=open_proposal, section=None, question=question, author=people.citizen, count=n
        )

    bulk_here(500)  # 100 threads: five pages
    at_500 = queries()
    bulk_here(9500)
    assert Comment.objects.count() == 10_000
    assert queries() == at_500
    # The session, the user, the proposal, (the question,) the last event
    # number, the roots' count and page, their replies, the official responses
    # to them, my votes, the moderator and the official checks, the roles and
    # the unread count.
    assert at_500 == expected
