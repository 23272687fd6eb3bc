"""Participation at a glance on the cards, the consultation page and the home
page's "closing soon" and "most discussed": the right numbers, in words, and
a fixed number of queries whatever the number of consultations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.accounts.models import Role
from consult.testing.data import open_consultation
from discussion.comments import services as comments
from proposals.models import Proposal, Status
from proposals.services import stances

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def card(page: BeautifulSoup, title: str, within: str | None = None):
    scope = page.find(attrs={"aria-labelledby": within}) if within else page
    return next(c for c in scope.select("li.card") if title in c.get_text())


def phrases(element) -> list[str]:
    line = element.select_one(".participation")
    return [span.get_text() for span in line.find_all("span", attrs={"aria-hidden": None})]


def section_titles(page: BeautifulSoup, labelled_by: str) -> list[str]:
    section = page.find(attrs={"aria-labelledby": labelled_by})
    return [c.select_one(".card-title").get_text(strip=True) for c in section.select("li.card")]


@pytest.fixture
def official(tree, make_user, grant):
    return grant(make_user(display_name="Official"), tree.ministry, Role.OFFICIAL)


def end_of_day(days: int) -> datetime:
    """Late in the reader's day `days` days from today, so that "N days left"
    does not depend on the hour the test runs."""
    return timezone.localtime().replace(hour=23, minute=58) + timedelta(days=days)


def consultation(
    official, tree, title: str, *, closes_in: timedelta | None = None, closes_at=None
) -> Proposal:
    proposal = open_consultation(
        official=official, department=tree.ministry, jurisdiction=tree.nation, title=title
    )
    closes_at = closes_at or timezone.now() + closes_in
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=closes_at)
    proposal.refresh_from_db()
    return proposal


def test_cards_and_page_show_people_comments_and_days_left(client, official, tree, make_user):
    """Three people (a stance, a comment, both), two comments, five days."""
    busy = consultation(official, tree, "Busy streets", closes_at=end_of_day(5))
    ann, bo, cy = make_user(), make_user(), make_user()
    stances.stance_cast(actor=ann, proposal=busy, value="support")
    comments.comment_create(actor=bo, proposal=busy, body="Good.")
    comments.comment_create(actor=cy, proposal=busy, body="Yes.")
    stances.stance_cast(actor=cy, proposal=busy, value="oppose")
    quiet = consultation(official, tree, "Quiet lanes", closes_at=end_of_day(0))
    comments.comment_create(actor=ann, proposal=quiet, body="Fine.")
    expected = ["3 people taking part", "2 comments", "5 days left"]
    assert phrases(card(soup(client.get("/consultations/")), "Busy streets")) == expected
    assert phrases(card(soup(client.get("/")), "Busy streets", "current-title")) == expected
    assert phrases(card(soup(client.get("/")), "Quiet lanes", "current-title")) == [
        "1 person taking part",
        "1 comment",
        "Closes today",
    ]
    # The consultation's own page: the counts (its window says the time left).
    page = soup(client.get(busy.get_absolute_url()))
    assert phrases(page.select_one(".window-box")) == expected[:2]
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert phrases(card(soup(client.get("/consultations/")), "Busy")) == [
        "3 人参与",
        "2 条评论",
        "还剩 5 天",
    ]


def test_scheduled_and_closed_cards_say_what_fits(client, official, tree):
    """Opening soon: when it opens, no counts (nobody could take part yet).
    Closed: who took part, no time left."""
    later = consultation(official, tree, "Later", closes_in=timedelta(days=40))
    Proposal.objects.filter(pk=later.pk).update(status=Status.SCHEDULED, opens_at=end_of_day(3))
    done = consultation(official, tree, "Done", closes_in=timedelta(days=1))
    Proposal.objects.filter(pk=done.pk).update(
        opens_at=timezone.now() - timedelta(days=9),
        closes_at=timezone.now() - timedelta(days=2),
        status=Status.CLOSED,
        participant_count=1,
    )
    page = soup(client.get("/consultations/"))
    assert phrases(card(page, "Later")) == ["Opens in 3 days"]
    assert phrases(card(page, "Done")) == ["1 person took part", "0 comments"]


def test_home_shows_closing_soon_and_most_discussed_in_order(client, official, tree, make_user):
    soon = consultation(official, tree, "Soon", closes_in=timedelta(days=2))
    sooner = consultation(official, tree, "Sooner", closes_in=timedelta(days=1))
    consultation(official, tree, "Far off", closes_in=timedelta(days=30))
    for _ in range(2):
        comments.comment_create(actor=make_user(), proposal=soon, body="A view.")
    comments.comment_create(actor=make_user(), proposal=sooner, body="A view.")
    page = soup(client.get("/"))
    assert section_titles(page, "closing-soon-title") == ["Sooner", "Soon"]
    assert section_titles(page, "most-discussed-title") == ["Soon", "Sooner"]
    heading = page.find(id="most-discussed-title").get_text()
    assert "most comments" in heading


def test_home_sections_have_clear_empty_states(client, official, tree):
    consultation(official, tree, "Far off", closes_in=timedelta(days=30))
    page = soup(client.get("/"))
    closing = page.find(attrs={"aria-labelledby": "closing-soon-title"})
    discussed = page.find(attrs={"aria-labelledby": "most-discussed-title"})
    assert not closing.select("li.card") and not discussed.select("li.card")
    assert "No open consultation closes in the next seven days." in closing.get_text()
    assert "No open consultation has comments yet." in discussed.get_text()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def many(make_proposal, n: int, start: int) -> None:
    """`n` open consultations closing within days, each with counts."""
    now = timezone.now()
    for i in range(start, start + n):
        make_proposal(
            title=f"Consultation {i}",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1 + i % 5),
            participant_count=i,
            comment_count=i + 1,
        )


# Home: its cards and their tags, then "closing soon" and "most discussed",
# one query each. The list: its count, its page, the page's tags, and the
# filter form's topics, departments and jurisdictions. No query per card.
HOME, LIST = 4, 6


def test_home_and_list_run_the_same_queries_at_2_and_30_consultations(client, make_proposal):
    many(make_proposal, 2, 0)
    small = (count_queries(client, "/"), count_queries(client, "/consultations/"))
    many(make_proposal, 28, 2)
    page = soup(client.get("/consultations/"))
    assert len(page.select("li.card .participation")) == 20
    large = (count_queries(client, "/"), count_queries(client, "/consultations/"))
    assert small == large == (HOME, LIST)
