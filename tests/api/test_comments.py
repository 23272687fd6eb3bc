"""Comments through the API: pages, and writing through a token (comments,
replies, votes, stances) under the web's rules and limits, never past what
the owner may do."""

from __future__ import annotations

import pytest

from discussion.models import Comment, CommentVote
from discussion.moderation import sanctions
from proposals.models import ProposalStance, Status
from tests.api.conftest import body, post_json, put_json

pytestmark = pytest.mark.django_db


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


def test_comment_reply_vote_and_stance_through_a_token(
    client_api, open_proposal, people, make_user, token_for
):
    headers = token_for(people.citizen)
    section = open_proposal.sections.order_by("order").first()
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    made = post_json(
        client_api, url, {"body": "From my **script**", "section": section.pk}, **headers
    )
    assert made.status_code == 201, made.content
    posted = body(made)
    assert posted["state"] == "published" and posted["comment"]["section"] == section.pk
    assert "<strong>script</strong>" in posted["comment"]["body_html"]
    other = make_user()
    reply = post_json(
        client_api, url, {"body": "A reply", "parent": posted["id"]}, **token_for(other)
    )
    assert body(reply)["comment"]["parent"] == posted["id"]
    assert body(reply)["comment"]["section"] == section.pk  # a reply takes its parent's place
    voted = put_json(
        client_api, f"/api/v1/comments/{posted['id']}/vote/", {"value": "agree"}, **token_for(other)
    )
    assert voted.status_code == 200 and body(voted)["votes"]["agree"] == 1
    again = put_json(
        client_api,
        f"/api/v1/comments/{posted['id']}/vote/",
        {"value": "disagree"},
        **token_for(other),
    )
    assert body(again)["votes"] == {"agree": 0, "disagree": 1, "pass": 0}
    assert CommentVote.objects.get(user=other).value == "disagree"
    stance = put_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/stance/",
        {"value": "support"},
        **headers,
    )
    assert stance.status_code == 200 and body(stance)["section"] is None
    assert ProposalStance.objects.get(user=people.citizen).value == "support"


def test_a_held_comment_is_accepted_and_said_to_be_held(
    client_api, open_proposal, people, token_for
):
    from discussion.models import ModerationPolicy

    ModerationPolicy.objects.create(proposal=open_proposal, hold_all=True)
    response = post_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/comments/",
        {"body": "Please check me"},
        **token_for(people.citizen),
    )
    assert response.status_code == 202
    assert body(response)["state"] == "held" and body(response)["comment"] is None
    assert Comment.objects.get(pk=body(response)["id"]).is_held


def test_a_token_cannot_act_beyond_its_owners_rights(
    client_api, open_proposal, people, make_user, token_for
):
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    read_only = token_for(people.citizen, can_write=False)
    refused = post_json(client_api, url, {"body": "Hello"}, **read_only)
    assert refused.status_code == 403 and "only read" in body(refused)["error"]["message"]
    writer = token_for(people.citizen)
    mine = body(post_json(client_api, url, {"body": "My own"}, **writer))["id"]
    own_vote = put_json(client_api, f"/api/v1/comments/{mine}/vote/", {"value": "agree"}, **writer)
    assert own_vote.status_code == 400 and not CommentVote.objects.exists()
    # Banned: the token still authenticates, but the services refuse the owner.
    sanctions.user_ban(actor=people.moderator, person=people.citizen, reason="Spam")
    banned = post_json(client_api, url, {"body": "Still here?"}, **writer)
    assert banned.status_code == 403 and "Spam" in body(banned)["error"]["message"]
    assert Comment.objects.count() == 1
    # Closed consultations take no more comments, votes or stances from anyone.
    open_proposal.status = Status.CLOSED
    open_proposal.save()
    fresh = token_for(make_user())
    closed = post_json(client_api, url, {"body": "Too late"}, **fresh)
    assert closed.status_code in (400, 403) and Comment.objects.count() == 1
    late_stance = put_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/stance/",
        {"value": "oppose"},
        **fresh,
    )
    assert late_stance.status_code == 400 and not ProposalStance.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "Hi", "section": 999999}, "section"),
        ({"body": "Hi", "parent": 999999}, "parent"),
        ({"body": "Hi", "section": "one"}, "section"),
        ({"body": ["not", "text"]}, "body"),
    ],
)
def test_bad_comments_get_400_and_write_nothing(
    client_api, open_proposal, people, token_for, data, field
):
    response = post_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/comments/",
        data,
        **token_for(people.citizen),
    )
    assert response.status_code == 400, response.content
    assert field in body(response)["error"]["fields"], body(response)
    assert not Comment.objects.exists()


def test_replying_to_a_hidden_comment_is_refused(
    client_api, thread, open_proposal, people, token_for
):
    response = post_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/comments/",
        {"body": "Reply", "parent": thread.hidden.pk},
        **token_for(people.citizen),
    )
    assert response.status_code == 400 and "parent" in body(response)["error"]["fields"]
    vote = put_json(
        client_api,
        f"/api/v1/comments/{thread.held.pk}/vote/",
        {"value": "agree"},
        **token_for(people.citizen),
    )
    assert vote.status_code == 404


def test_the_webs_comment_limit_holds_through_the_api(
    settings, client_api, open_proposal, people, token_for
):
    settings.CONSULT_RATE_LIMITS = {"comment": {"user": ["2/60"], "ip": []}}
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    headers = token_for(people.citizen)
    for n in range(2):
        assert post_json(client_api, url, {"body": f"Comment {n}"}, **headers).status_code == 201
    refused = post_json(client_api, url, {"body": "One too many"}, **headers)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert body(refused)["error"]["code"] == "throttled"
    assert Comment.objects.count() == 2


def test_an_account_without_a_confirmed_email_neither_comments_nor_votes(
    client_api, thread, open_proposal, make_user, token_for
):
    unconfirmed = make_user(verified=False)
    headers = token_for(unconfirmed)
    comment = post_json(
        client_api,
        f"/api/v1/consultations/{open_proposal.slug}/comments/",
        {"body": "Not yet confirmed"},
        **headers,
    )
    assert comment.status_code == 403 and "email" in body(comment)["error"]["message"]
    vote = put_json(
        client_api, f"/api/v1/comments/{thread.public.pk}/vote/", {"value": "agree"}, **headers
    )
    assert vote.status_code == 403 and "email" in body(vote)["error"]["message"]
    assert not CommentVote.objects.filter(user=unconfirmed).exists()
