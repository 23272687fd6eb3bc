"""What every endpoint shares: conditional GETs, the one error body, rate
limits, and the reference."""

from __future__ import annotations

import pytest

from discussion.models import Comment
from tests.api.conftest import assert_error, body, post_json

pytestmark = pytest.mark.django_db


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


def test_the_reference_is_readable_without_javascript(client):
    page = client.get("/api/v1/docs/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "/api/v1/consultations/{slug}/comments/" in text and "Retry-After" in text
    # The reference is in the page itself, not drawn by a script.
    assert 'id="shape-Comment"' in text and "<code>author</code>" in text
    assert client.get("/api/v1/docs/explorer/").status_code == 200
