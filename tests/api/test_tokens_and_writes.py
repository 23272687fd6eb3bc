"""Tokens made and revoked in the account; writing through them, never past
what the owner may do, under the web's rules and limits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from consult.api import tokens
from consult.api.models import AccessToken
from consult.api.tokens import digest
from discussion.models import Comment, CommentVote
from discussion.moderation import sanctions
from proposals.models import ProposalStance, Status
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def body(response):
    return json.loads(response.content)


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def put_json(client, url, data, **headers):
    return client.put(url, json.dumps(data), content_type="application/json", **headers)


def test_a_citizen_makes_sees_once_and_revokes_a_token(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    page = client.get("/accounts/tokens/")
    assert b"You have no active tokens" in page.content
    made = client.post("/accounts/tokens/", {"name": "My script", "can_write": "on", "days": "30"})
    assert made.status_code == 302
    shown = client.get("/accounts/tokens/").content.decode()
    token = AccessToken.objects.get(user=people.citizen)
    raw = shown.split('id="new-token-value" class="token-value" type="text" readonly value="')[1]
    raw = raw.split('"')[0]
    assert raw.startswith(token.prefix + "_") and token.digest == digest(raw)
    assert raw not in "".join(str(v) for v in AccessToken.objects.values_list()[0])
    assert token.can_write and token.expires_at - timezone.now() > timedelta(days=29)
    assert raw not in client.get("/accounts/tokens/").content.decode()  # shown once
    api = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert body(api)["token_name"] == "My script" and api["Cache-Control"] == "private, no-cache"
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    refused = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 401 and body(refused)["error"]["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_forms_are_refused_with_the_form_kept(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    for data in (
        {"name": "   ", "days": "30"},
        {"name": "x" * 81, "days": "30"},
        {"name": "ok", "days": "7"},
    ):
        response = client.post("/accounts/tokens/", data)
        assert response.status_code == 400 and b"form-error-summary" in response.content
    assert not AccessToken.objects.exists()


def test_a_21st_token_is_refused_with_the_name_kept(client, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    for n in range(tokens.MAX_ACTIVE_PER_USER):
        client.post("/accounts/tokens/", {"name": f"Script {n}", "days": "30"})
    assert AccessToken.objects.filter(user=people.citizen).count() == 20

    response = client.post("/accounts/tokens/", {"name": "The twenty-first", "days": "30"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "You have 20 active tokens, the most allowed." in page
    assert 'value="The twenty-first"' in page
    assert AccessToken.objects.filter(user=people.citizen).count() == 20
    assert not AccessToken.objects.filter(name="The twenty-first").exists()


def test_nobody_revokes_anothers_token(client, people, token_for):
    token_for(people.moderator)
    theirs = AccessToken.objects.get(user=people.moderator)
    client.login(email=people.citizen.email, password=PASSWORD)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_expired_mistyped_and_closed_account_tokens_are_refused(client_api, people, token_for):
    headers = token_for(people.citizen)
    assert client_api.get("/api/v1/me/", **headers).status_code == 200
    assert client_api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer cst_nope").status_code == 401
    assert client_api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer \u00e9").status_code == 401
    assert client_api.get("/api/v1/me/").status_code == 401
    AccessToken.objects.update(expires_at=timezone.now())
    assert client_api.get("/api/v1/me/", **headers).status_code == 401
    AccessToken.objects.update(expires_at=None)
    people.citizen.is_active = False
    people.citizen.save()
    assert client_api.get("/api/v1/me/", **headers).status_code == 401


def test_a_signed_in_browser_session_does_not_write_through_the_api(client, open_proposal, people):
    client.login(email=people.citizen.email, password=PASSWORD)
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    response = post_json(client, url, {"body": "From a browser"})
    assert response.status_code == 401
    assert not Comment.objects.exists()


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


def test_malformed_json_and_wrong_media_type_get_the_error_body(
    client_api, open_proposal, people, token_for
):
    url = f"/api/v1/consultations/{open_proposal.slug}/comments/"
    headers = token_for(people.citizen)
    broken = client_api.post(url, "{not json", content_type="application/json", **headers)
    assert broken.status_code == 400 and body(broken)["error"]["code"] == "parse_error"
    form = client_api.post(
        url, "body=hi", content_type="application/x-www-form-urlencoded", **headers
    )
    assert form.status_code == 415 and body(form)["error"]["code"] == "unsupported_media_type"
    huge = post_json(client_api, url, {"body": "x" * 3_000_000}, **headers)
    assert huge.status_code == 413 and body(huge)["error"]["code"] == "too_large"
    assert "2048 kilobytes" in body(huge)["error"]["message"]
    assert not Comment.objects.exists()


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


def test_api_rate_limits_per_token_and_per_address(settings, client_api, people, token_for):
    settings.CONSULT_API_RATES = {"anonymous": ["3/60"], "token": ["5/60"], "ip": ["100/60"]}
    for _n in range(3):
        assert client_api.get("/api/v1/topics/").status_code == 200
    refused = client_api.get("/api/v1/topics/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "wait" in body(refused)["error"]["message"]
    # A token has its own allowance, counted per token.
    headers = token_for(people.citizen)
    for _n in range(5):
        assert client_api.get("/api/v1/topics/", **headers).status_code == 200
    assert client_api.get("/api/v1/topics/", **headers).status_code == 429
    assert client_api.get("/api/v1/topics/", **token_for(people.moderator)).status_code == 200
    # And one address cannot hide behind many tokens.
    settings.CONSULT_API_RATES = {"anonymous": [], "token": ["100/60"], "ip": ["2/60"]}
    other = client_api.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.9", **token_for(people.official))
    assert other.status_code == 200
    client_api.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.9", **token_for(people.parent_official))
    third = client_api.get(
        "/api/v1/topics/", REMOTE_ADDR="10.0.0.9", **token_for(people.other_official)
    )
    assert third.status_code == 429


def test_a_new_password_revokes_every_token(client, client_api, people, token_for):
    headers = token_for(people.citizen)
    client.login(email=people.citizen.email, password=PASSWORD)
    changed = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a new horse battery",
            "password2": "a new horse battery",
        },
    )
    assert changed.status_code == 302
    assert client_api.get("/api/v1/me/", **headers).status_code == 401
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()


def test_guessing_tokens_spends_the_addresss_allowance(settings, client_api, people, token_for):
    settings.CONSULT_API_RATES = {"anonymous": ["3/60"], "token": ["100/60"], "ip": []}
    for n in range(3):
        wrong = client_api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer cst_guess{n}")
        assert wrong.status_code == 401
    refused = client_api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer cst_guess9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1


def test_one_persons_tokens_share_one_allowance(settings, client_api, people, token_for):
    settings.CONSULT_API_RATES = {"anonymous": [], "token": ["4/60"], "ip": []}
    first, second = token_for(people.citizen), token_for(people.citizen)
    for headers in (first, second, first, second):
        assert client_api.get("/api/v1/topics/", **headers).status_code == 200
    assert client_api.get("/api/v1/topics/", **token_for(people.citizen)).status_code == 429


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
