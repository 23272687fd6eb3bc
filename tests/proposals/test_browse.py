"""Browse and find: filters, sorting, search in English and Chinese, and pages
whose query count does not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.accounts.models import Role
from proposals.models import Proposal, Status
from proposals.search import cjk_bigrams, split_query
from proposals.services import attachments, drafts, stances, versions

pytestmark = pytest.mark.django_db


def publish(
    official,
    department,
    jurisdiction,
    title,
    *,
    sections=(("Text", "Body"),),
    tags=(),
    state="open",
    closes_in=30,
):
    proposal = drafts.proposal_create(
        actor=official,
        department=department,
        jurisdiction=jurisdiction,
        title=title,
        summary=f"About {title}",
        tags=list(tags),
    )
    for heading, body in sections:
        drafts.section_add(actor=official, proposal=proposal, heading=heading, body=body)
    versions.version_publish(actor=official, proposal=proposal, change_note="v1")
    now = timezone.now()
    windows = {
        "open": (now - timedelta(days=1), now + timedelta(days=closes_in), Status.OPEN),
        "scheduled": (now + timedelta(days=3), now + timedelta(days=40), Status.SCHEDULED),
        "closed": (now - timedelta(days=40), now - timedelta(days=3), Status.CLOSED),
        "report_published": (
            now - timedelta(days=90),
            now - timedelta(days=60),
            Status.REPORT_PUBLISHED,
        ),
    }
    opens, closes, status = windows[state]
    Proposal.objects.filter(pk=proposal.pk).update(opens_at=opens, closes_at=closes, status=status)
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def official(tree, make_user, grant):
    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    return grant(official, tree.other_ministry, Role.OFFICIAL)


@pytest.fixture
def catalogue(tree, official):
    return {
        "deposits": publish(
            official,
            tree.ministry,
            tree.nation,
            "Rental deposit reform",
            sections=(("Cap", "Landlords may not ask for more than one month's rent."),),
            tags=["housing"],
        ),
        "streets": publish(
            official,
            tree.city_office,
            tree.city,
            "Safer streets near schools",
            sections=(("Limits", "A twenty kilometre limit near every school entrance."),),
            tags=["transport"],
            closes_in=3,
        ),
        "buses": publish(
            official,
            tree.district_office,
            tree.city,
            "河滨市公交线网优化方案",
            sections=(("公交专用道", "在主干道设置全天公交专用道，社会车辆不得占用。"),),
            tags=["交通"],
            state="scheduled",
        ),
        "levy": publish(
            official, tree.other_ministry, tree.nation, "Empty homes levy", state="closed"
        ),
        "cycles": publish(
            official, tree.ministry, tree.nation, "Cycle parking", state="report_published"
        ),
    }


def titles(client, query: str) -> list[str]:
    response = client.get(f"/consultations/?{query}")
    assert response.status_code == 200
    return [p.title for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", {"Rental deposit reform", "Safer streets near schools"}),
        ("status=closing_soon", {"Safer streets near schools"}),
        ("status=upcoming", {"河滨市公交线网优化方案"}),
        ("status=closed", {"Empty homes levy"}),
        ("status=report_published", {"Cycle parking"}),
        ("topic=housing", {"Rental deposit reform"}),
        ("department=city-office", {"Safer streets near schools", "河滨市公交线网优化方案"}),
        ("department=other", {"Empty homes levy"}),
        ("jurisdiction=city", {"Safer streets near schools", "河滨市公交线网优化方案"}),
        ("department=no-such-department", set()),
        ("status=open&department=city-office", {"Safer streets near schools"}),
    ],
)
def test_filters(client, catalogue, query, expected):
    assert set(titles(client, query)) == expected


def test_sort_by_deadline_and_by_activity(client, catalogue, make_user):
    assert titles(client, "status=open&sort=deadline") == [
        "Safer streets near schools",
        "Rental deposit reform",
    ]
    for _ in range(3):
        stances.stance_cast(actor=make_user(), proposal=catalogue["deposits"], value="support")
    assert titles(client, "status=open&sort=activity")[0] == "Rental deposit reform"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("deposit", ["Rental deposit reform"]),
        ("landlords", ["Rental deposit reform"]),  # only in a section's text
        ("school limit", ["Safer streets near schools"]),
        ("公交", ["河滨市公交线网优化方案"]),
        ("专用道", ["河滨市公交线网优化方案"]),  # Chinese inside section text, no spaces
        ("社会车辆", ["河滨市公交线网优化方案"]),
        ("车", ["河滨市公交线网优化方案"]),  # one character, inside a longer word
        ("deposit 公交", []),  # every term must match
        ("zebra", []),
        ("'); DROP TABLE proposals_proposal; --", []),
    ],
)
def test_search_finds_words_in_titles_summaries_and_sections(client, catalogue, q, expected):
    from urllib.parse import urlencode

    assert titles(client, urlencode({"q": q})) == expected


def test_search_ranks_title_hits_first(client, tree, official):
    publish(
        official,
        tree.ministry,
        tree.nation,
        "Parking rules",
        sections=(("Scope", "Applies to bus depots."),),
    )
    publish(
        official,
        tree.ministry,
        tree.nation,
        "Bus lanes",
        sections=(("Scope", "Bus lanes on main roads."),),
    )
    assert titles(client, "q=bus")[0] == "Bus lanes"


def test_unusable_queries_and_parameters_do_not_break_the_page(client, catalogue):
    for query in (
        "q=" + "x" * 5000,
        "q=%00",
        "status=bogus",
        "sort=;drop",
        "page=999",
        "page=-1",
        "topic=" + "é" * 300,
    ):
        assert client.get(f"/consultations/?{query}").status_code == 200


def test_a_search_holding_a_nul_is_searched_without_it_and_says_so(client, catalogue):
    from bs4 import BeautifulSoup

    from proposals.forms import QUERY_NUL_REMOVED

    response = client.get("/consultations/?q=depo%00sit&status=open")
    assert response.status_code == 200
    # The rest of what was typed is searched, and the filters beside it kept.
    assert [p.title for p in response.context["page"].object_list] == ["Rental deposit reform"]
    page = BeautifulSoup(response.content, "html.parser")
    box = page.find("input", id="id_q")
    assert box["value"] == "deposit"
    note = page.find(id=box["aria-describedby"])
    assert note.get_text() == str(QUERY_NUL_REMOVED)
    # Only a NUL: every consultation, with the same note, never an empty page without a word.
    response = client.get("/consultations/?q=%00")
    assert response.status_code == 200 and response.context["page"].paginator.count == 5
    assert str(QUERY_NUL_REMOVED) in response.content.decode()
    # An ordinary search has no note.
    assert str(QUERY_NUL_REMOVED) not in client.get("/consultations/?q=deposit").content.decode()


def test_cjk_bigrams_and_query_splitting():
    assert cjk_bigrams("公交专用道") == "公交 交专 专用 用道"
    assert cjk_bigrams("车") == "车"
    assert split_query("bus 公交 lanes!") == (["bus", "lanes"], ["公交"])


def test_list_is_paginated_and_keeps_filters(client, tree, official):
    for n in range(23):
        publish(official, tree.ministry, tree.nation, f"Consultation {n:02d}")
    response = client.get("/consultations/?status=open")
    assert len(response.context["page"].object_list) == 20
    assert 'href="?status=open&amp;page=2"' in response.content.decode()
    assert len(client.get("/consultations/?status=open&page=2").context["page"].object_list) == 3


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Pinned: the list is its count, its page and the page's tags, plus the filter
# form's topics, departments and jurisdictions; home is its cards and their
# tags, then "closing soon" and "most discussed" (one query each).
PINNED = {
    "/": 4,
    "/consultations/": 6,
    "/consultations/?q=First": 6,
    "/consultations/?status=open&topic=a": 6,
}
# A signed-in reader's proposal page: session and user, the proposal, its
# sections, tallies (sections, whole), attachments, versions, questions, tags,
# the role check, the reader's stances (sections, whole), follow, and the
# menu's "is this reader an official?", unread notifications, the latest
# event number (the page's socket asks for everything after it), and the
# official responses to sections as a whole, and the response form's call to
# action (has a form, the reader's own response, clerk: one query), and
# following its topics, department and place (its topics with their names,
# what the reader follows).
PROPOSAL_PAGE = 21


def test_list_and_home_query_counts_do_not_grow(client, tree, official):
    publish(official, tree.ministry, tree.nation, "First", tags=["a"])
    small = {url: count_queries(client, url) for url in PINNED}
    for n in range(12):
        publish(
            official,
            tree.city_office,
            tree.city,
            f"More {n}",
            tags=[f"t{n}", "shared"],
            sections=[("S", "x")] * 3,
        )
    large = {url: count_queries(client, url) for url in small}
    assert small == PINNED
    assert large == PINNED


def test_proposal_page_query_count_does_not_grow_with_sections_votes_or_files(
    client, tree, official, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    proposal = publish(
        official, tree.ministry, tree.nation, "Counted", sections=[("S1", "a"), ("S2", "b")]
    )
    voter = make_user()
    client.force_login(voter)
    small = count_queries(client, proposal.get_absolute_url())
    assert small == PROPOSAL_PAGE
    for n in range(6):
        drafts.section_add(actor=official, proposal=proposal, heading=f"Extra {n}", body="text")
    versions.version_publish(actor=official, proposal=proposal, change_note="v2")
    proposal.refresh_from_db()
    for section in proposal.sections.all():
        for _ in range(3):
            stances.stance_cast(
                actor=make_user(), proposal=proposal, section=section, value="support"
            )
        stances.stance_cast(actor=voter, proposal=proposal, section=section, value="oppose")
    from django.core.files.uploadedfile import SimpleUploadedFile

    for n in range(3):
        attachments.attachment_add(
            actor=official,
            proposal=proposal,
            upload=SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4 " + bytes([n])),
            title=f"Annex {n}",
        )
    assert count_queries(client, proposal.get_absolute_url()) == small
