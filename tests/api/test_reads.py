"""Reading: the shapes, filters, pages, ETags and the one error body."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal
from proposals.services import drafts
from proposals.services import versions as proposal_versions

pytestmark = pytest.mark.django_db


def body(response) -> dict:
    return json.loads(response.content)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = body(response)["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


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
    hidden_draft = drafts.proposal_create(
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


def test_pages_follow_the_cursor_without_gaps_or_repeats_while_rows_arrive(
    client_api, thread, open_proposal, people, make_user
):
    from discussion.comments import services as discussion_services

    section = open_proposal.sections.order_by("order").first()
    author = make_user()
    for n in range(5):
        discussion_services.comment_create(
            actor=author, proposal=open_proposal, body=f"Comment number {n}", section=section
        )
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/?limit=3"
    seen = []
    page = body(client_api.get(url))
    seen += [c["id"] for c in page["results"]]
    # A comment arriving between pages is found at the end, not by shifting pages.
    late = discussion_services.comment_create(
        actor=author, proposal=open_proposal, body="Late comment", section=section
    )
    while page["next"]:
        page = body(client_api.get(page["next"]))
        seen += [c["id"] for c in page["results"]]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert seen[-1] == late.pk and len(seen) == 2 + 5 + 1
    assert page["previous"]


def test_a_conditional_get_is_answered_304_until_the_data_changes(client_api, thread, people):
    url = f"/api/v1/comments/{thread.public.pk}/"
    first = client_api.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "no-cache"
    again = client_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client_api.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client_api.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    from discussion.comments import services as discussion_services

    discussion_services.comment_vote(actor=people.citizen, comment=thread.public, value="agree")
    changed = client_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert body(changed)["votes"] == {"agree": 2, "disagree": 0, "pass": 0}


def test_unknown_addresses_and_methods_get_the_error_body(client_api):
    assert_error(client_api.get("/api/v1/nothing/here/"), 404, "not_found")
    assert_error(client_api.get("/api/v1/comments/999999/"), 404, "not_found")
    assert_error(client_api.delete("/api/v1/consultations/"), 405, "method_not_allowed")
    assert_error(
        client_api.get("/api/v1/consultations/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable"
    )


def test_errors_speak_the_clients_language(client_api):
    error = assert_error(
        client_api.get("/api/v1/consultations/", {"limit": "0"}, HTTP_ACCEPT_LANGUAGE="zh-hans"),
        400,
        "invalid",
    )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"]["limit"][0])


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
    drafts.section_update(actor=people.official, section=section, heading="Purpose", body="New")
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


def test_the_reference_is_readable_without_javascript(client):
    page = client.get("/api/v1/docs/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "/api/v1/consultations/{slug}/comments/" in text and "Retry-After" in text
    # The reference is in the page itself, not drawn by a script.
    assert 'id="shape-Comment"' in text and "<code>author</code>" in text
    assert client.get("/api/v1/docs/explorer/").status_code == 200
