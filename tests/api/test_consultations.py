"""Consultations and what is listed beside them: shapes, filters, versions,
stance counts and responses, and queries that do not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal
from proposals.services import drafts as proposal_drafts
from proposals.services import versions as proposal_versions
from tests.api.conftest import assert_error, body

pytestmark = pytest.mark.django_db


def test_the_index_names_the_docs_schema_and_lists(client_api):
    index = body(client_api.get("/api/v1/"))
    assert index["version"] == "1"
    assert index["docs"].endswith("/api/v1/docs/") and index["schema"].endswith("/api/v1/schema/")
    assert client_api.get("/api/v1/schema/", {"format": "json"}).status_code == 200


def test_consultations_list_only_public_ones_with_their_place_and_links(
    client_api, open_proposal, draft, tree, people
):
    listed = body(client_api.get("/api/v1/consultations/"))
    slugs = [row["slug"] for row in listed["results"]]
    assert slugs == [open_proposal.slug]  # the draft fixture is the same proposal, now open
    hidden_draft = proposal_drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Secret draft",
        summary="Not yet public",
    )
    listed = body(client_api.get("/api/v1/consultations/"))
    assert hidden_draft.slug not in [row["slug"] for row in listed["results"]]
    row = listed["results"][0]
    assert row["status"] == "open"
    assert row["department"] == {"slug": "city-office", "name": "City office"}
    assert row["topics"] == ["road safety", "transport"]
    assert row["current_version"] == 1
    assert row["links"]["comments"].endswith(
        f"/api/v1/consultations/{open_proposal.slug}/comments/"
    )
    assert row["links"]["report"] is None
    response = client_api.get(f"/api/v1/consultations/{hidden_draft.slug}/")
    assert_error(response, 404, "not_found")


def test_filters_by_status_topic_department_and_update_time(client_api, open_proposal, tree):
    def slugs(**params):
        response = client_api.get("/api/v1/consultations/", params)
        assert response.status_code == 200, response.content
        return [row["slug"] for row in body(response)["results"]]

    assert slugs(status="open") == [open_proposal.slug]
    assert slugs(status="closed") == []
    assert slugs(topic="transport") == [open_proposal.slug]
    assert slugs(topic="housing") == []
    assert slugs(department="ministry") == [open_proposal.slug]  # from the ministry above
    assert slugs(department="other") == []
    assert slugs(department="no-such-department") == []
    later = (open_proposal.updated_at + timedelta(seconds=1)).isoformat()
    assert slugs(updated_since=later) == []
    assert slugs(updated_since=open_proposal.updated_at.isoformat()) == [open_proposal.slug]
    # A window that passed counts at once, before any job has moved the row.
    Proposal.objects.filter(pk=open_proposal.pk).update(closes_at=timezone.now())
    assert slugs(status="closed") == [open_proposal.slug]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "draft"}, "status"),
        ({"status": "OPEN"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "２０２６-01-01"}, "updated_since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"stauts": "open"}, "stauts"),
        ({"updated_since": "2026-02-30T00:00:00"}, "updated_since"),
        ({"updated_since": "9999-12-31T23:59:59-01:00"}, "updated_since"),
        ({"cursor": "cD1hYmM="}, "cursor"),  # a well-formed cursor at position "abc"
        ({"cursor": "cD0x"}, None),  # p=1: a position a page could have given
    ],
)
def test_bad_query_parameters_get_400_naming_the_field(client_api, open_proposal, params, field):
    response = client_api.get("/api/v1/consultations/", params)
    if field is None:
        assert response.status_code == 200
        return
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]


def test_versions_stances_and_responses(client_api, thread, open_proposal, people):
    from discussion.moderation import services as moderation
    from discussion.responses import services as official
    from proposals.services import stances as proposal_stances

    proposal_stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="support")
    section = open_proposal.sections.order_by("order").first()
    proposal_stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, value="oppose", section=section
    )
    answer = official.responses_post_bulk(
        actor=people.official,
        proposal=open_proposal,
        comments=[thread.public.pk, thread.reply.pk],
        status="accepted",
        explanation="We will **do** it.",
    )
    moderation.comment_hide(actor=people.moderator, comment=thread.reply, reason="Off topic")
    versions = body(client_api.get(f"/api/v1/consultations/{open_proposal.slug}/versions/"))
    assert [v["number"] for v in versions] == [1]
    assert [s["heading"] for s in versions[0]["sections"]] == ["Purpose", "Limits"]
    stances = body(client_api.get(f"/api/v1/consultations/{open_proposal.slug}/stances/"))
    assert stances["proposal"] == {"support": 1, "oppose": 0, "neutral": 0, "total": 1}
    by_section = {row["section"]: row for row in stances["sections"]}
    assert by_section[section.pk]["oppose"] == 1 and by_section[section.pk]["total"] == 1
    listed = body(client_api.get(f"/api/v1/consultations/{open_proposal.slug}/responses/"))
    (row,) = listed["results"]
    assert row["id"] == answer.pk and row["status"] == "accepted"
    assert row["comments"] == [thread.public.pk]  # the hidden reply is not named
    assert row["department"]["slug"] == "city-office"
    assert "<strong>do</strong>" in row["explanation_html"]
    assert "author" not in row
    comment = body(client_api.get(f"/api/v1/comments/{thread.public.pk}/"))
    assert comment["responses"] == [answer.pk]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_rows(client_api, thread, open_proposal, people, make_user):
    from consult.opendata import public
    from consult.testing import data
    from consult.testing.data import bulk_comments
    from discussion.responses import services as official

    section = open_proposal.sections.order_by("order").first()
    urls = [
        f"/api/v1/consultations/{open_proposal.slug}/comments/?limit=200",
        f"/api/v1/consultations/{open_proposal.slug}/responses/",
        "/api/v1/consultations/",
        f"/api/v1/consultations/{open_proposal.slug}/",
        f"/api/v1/consultations/{open_proposal.slug}/versions/",
    ]
    official.response_post(
        actor=people.official, comment=thread.public, status="noted", explanation="First"
    )
    before = [_queries(client_api, url) for url in urls]
    bulk_comments(proposal=open_proposal, section=section, author=make_user(), count=150)
    ids = list(public.comments(open_proposal).values_list("pk", flat=True)[:60])
    for n in range(3):
        official.responses_post_bulk(
            actor=people.official,
            proposal=open_proposal,
            comments=ids[n * 20 : (n + 1) * 20],
            status="noted",
            explanation=f"Answer {n}",
        )
    proposal_drafts.section_update(
        actor=people.official, section=section, heading="Purpose", body="New"
    )
    proposal_versions.version_publish(
        actor=people.official, proposal=open_proposal, change_note="v2"
    )
    for n in range(3):
        data.open_consultation(
            official=people.official,
            department=open_proposal.department,
            jurisdiction=open_proposal.jurisdiction,
            title=f"Another consultation {n}",
            sections=(("One", "Text"), ("Two", "Text")),
        )
    after = [_queries(client_api, url) for url in urls]
    assert before == after
    # Pinned: the comments page reads the proposal and its topics, the
    # comments with their themes and versions, and their responses.
    assert before[0] == 4
