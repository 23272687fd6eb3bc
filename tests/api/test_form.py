"""The response form through the API: its questions, counts and published
responses for anyone, and a person's own response through a token under the
web form's rules; hostile JSON refused with a 400 that names the field, and
nothing written."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult.opendata.pseudonyms import response as response_pseudonym
from consult.testing.data import open_consultation
from discussion.submissions.models import FormAnswer, FormResponse, FormResponseRevision
from proposals.models import Status
from proposals.questionnaire.services import QuestionInput, question_add
from tests.api.conftest import assert_error, body, post_json
from tests.form_scene import (
    HELD_WORDS,
    HIDDEN_WORDS,
    LETTER_WRITER,
    NAMED_PERSON,
    NEVER_PUBLIC,
    ORGANISATION,
    answers,
    more_responses,
)

pytestmark = pytest.mark.django_db


def url(proposal, tail: str = "") -> str:
    return f"/api/v1/consultations/{proposal.slug}/form/{tail}"


def as_json(given: dict) -> dict:
    """Answers as a script sends them: keyed by the question's id as text."""
    return {str(pk): value for pk, value in given.items()}


ORGANISATION_BODY = {
    "kind": "organisation",
    "organisation_name": "Cyclists United",
    "organisation_type": "community",
    "official_view": True,
    "publication": "anonymous",
}


# --- reading ------------------------------------------------------------------------


def test_the_form_lists_its_published_questions(client_api, form_consultation, questions, official):
    question_add(
        actor=official,
        proposal=form_consultation,
        data=QuestionInput(kind="text", prompt="Not yet published"),
    )
    got = client_api.get(url(form_consultation))
    assert got.status_code == 200
    listed = body(got)["questions"]
    assert [q["id"] for q in listed] == [q.pk for q in questions.values()]
    agree = listed[0]
    assert agree["kind"] == "single" and agree["required"] is True
    assert agree["choices"][1] == {"key": "c2", "label": "No"}
    why_not = listed[1]
    assert why_not["shown_if"] == questions["agree"].pk and why_not["shown_if_choices"] == ["c2"]
    assert listed[3]["choices"][0]["key"] == "strongly_agree"
    assert listed[5]["min_value"] == "0" and listed[5]["max_value"] == "20"
    assert "Not yet published" not in got.content.decode()


def test_published_responses_keep_each_publication_choice(client_api, form_scene):
    scene = form_scene
    got = client_api.get(url(scene.proposal, "responses/"))
    assert got.status_code == 200
    rows = {row["id"]: row for row in body(got)["results"]}
    assert len(rows) == len(scene.published)

    def row(response):
        return rows.get(response_pseudonym(scene.proposal.pk, response.pk))

    assert row(scene.named)["name"] == NAMED_PERSON
    assert row(scene.organisation)["name"] == ORGANISATION
    assert row(scene.organisation)["official_view"] is True
    assert row(scene.anonymous)["name"] == ""
    assert row(scene.anonymous)["organisation_type"] == "business"
    assert row(scene.letter)["name"] == LETTER_WRITER and row(scene.letter)["channel"] == "post"
    assert row(scene.withheld) is None and row(scene.draft) is None
    comments = scene.questions["comments"].pk
    hidden = next(a for a in row(scene.hidden)["answers"] if a["question"] == comments)
    held = next(a for a in row(scene.held)["answers"] if a["question"] == comments)
    assert (hidden["text"], hidden["text_html"], hidden["text_withheld"]) == ("", "", "hidden")
    assert (held["text"], held["text_withheld"]) == ("", "held")
    text = got.content.decode()
    for secret in NEVER_PUBLIC:
        assert secret not in text, secret
    assert "@example.org" not in text


def test_counts_include_withheld_responses_and_no_draft(client_api, form_scene):
    scene = form_scene
    got = body(client_api.get(url(scene.proposal, "counts/")))
    assert got["responses"] == len(scene.submitted)
    agree = next(q for q in got["questions"] if q["question"] == scene.questions["agree"].pk)
    groups = {(g["breakdown"], g["group"]): g for g in agree["groups"]}
    no = {c["key"]: c["count"] for c in groups[("all", "")]["choices"]}
    assert no["c2"] == 4  # the withheld response among them
    assert groups[("channel", "post")]["responses"] == 1
    assert groups[("respondent_kind", "organisation")]["answered"] == 2
    comments = next(q for q in got["questions"] if q["question"] == scene.questions["comments"].pk)
    everyone = next(g for g in comments["groups"] if g["breakdown"] == "all")
    assert everyone["answered"] == len(scene.submitted) and everyone["choices"] == []
    ranking = next(q for q in got["questions"] if q["kind"] == "ranking")
    first = next(g for g in ranking["groups"] if g["breakdown"] == "all")["choices"]
    assert {c["key"]: c["first_place"] for c in first}["c2"] == len(scene.submitted)


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_form_endpoints_take_the_same_queries_for_5_and_50_responses(
    client_api, form_consultation, questions, make_user
):
    addresses = [
        url(form_consultation),
        url(form_consultation, "counts/"),
        url(form_consultation, "responses/?limit=200"),
    ]
    more_responses(form_consultation, questions, make_user, 5)
    small = [_queries(client_api, a) for a in addresses]
    more_responses(form_consultation, questions, make_user, 45)
    assert [_queries(client_api, a) for a in addresses] == small
    # Pinned: the consultation and its topics, then the questions; the group
    # sizes and the answers; a page of responses and their answers.
    assert small == [3, 5, 4]
    # Counts already computed for the same responses are not read again.
    assert _queries(client_api, addresses[1]) == small[1] - 1


def test_counts_are_computed_again_when_a_response_arrives(client_api, form_scene, make_user):
    address = url(form_scene.proposal, "counts/")
    before = body(client_api.get(address))["responses"]
    assert body(client_api.get(address))["responses"] == before
    more_responses(form_scene.proposal, form_scene.questions, make_user, 1)
    assert body(client_api.get(address))["responses"] == before + 1


# --- a person's own response ---------------------------------------------------------


def test_a_draft_then_a_submission_then_a_change_through_a_token(
    client_api, form_consultation, questions, make_user, token_for
):
    person = make_user(display_name="Script Person")
    headers = token_for(person)
    draft = post_json(
        client_api,
        url(form_consultation, "response/"),
        {"answers": {str(questions["children"].pk): 3}, "submit": False},
        **headers,
    )
    assert draft.status_code == 200, draft.content
    assert body(draft)["status"] == "draft" and body(draft)["revision"] == 0
    assert body(draft)["answers"] == {str(questions["children"].pk): "3"}
    given = as_json(answers(questions, agree="No", words="From my script."))
    sent = {"respondent": ORGANISATION_BODY, "answers": given, "submit": True}
    made = post_json(client_api, url(form_consultation, "response/"), sent, **headers)
    assert made.status_code == 200, made.content
    own = body(made)
    assert own["status"] == "submitted" and own["revision"] == 1
    assert own["respondent"] == ORGANISATION_BODY
    assert own["answers"] == given  # what is read can be sent back as it is
    read = client_api.get(url(form_consultation, "response/"), **headers)
    assert read.status_code == 200 and body(read) == own
    given[str(questions["agree"].pk)] = "c1"
    del given[str(questions["why_not"].pk)]
    again = post_json(
        client_api,
        url(form_consultation, "response/"),
        {**sent, "answers": given},
        **headers,
    )
    assert body(again)["revision"] == 2
    assert FormResponseRevision.objects.filter(response__respondent=person).count() == 2
    # A submitted response is not turned back into a draft.
    back = post_json(
        client_api, url(form_consultation, "response/"), {**sent, "submit": False}, **headers
    )
    assert_error(back, 400, "invalid")
    assert FormResponse.objects.get(respondent=person).status == "submitted"


def test_held_words_are_said_to_be_held_to_their_author(
    client_api, form_consultation, questions, make_user, token_for
):
    from discussion.models import ModerationPolicy

    ModerationPolicy.objects.create(proposal=form_consultation, hold_all=True)
    sent = {
        "respondent": {"kind": "individual", "publication": "named"},
        "answers": as_json(answers(questions, words="Please review me.")),
        "submit": True,
    }
    made = post_json(
        client_api, url(form_consultation, "response/"), sent, **token_for(make_user())
    )
    own = body(made)
    comments = str(questions["comments"].pk)
    assert own["answers"][comments] == "Please review me."
    assert own["text_withheld"] == {comments: "held"}


def test_refusals_name_each_question_and_write_nothing(
    client_api, form_consultation, questions, make_user, token_for
):
    given = as_json(answers(questions))
    del given[str(questions["agree"].pk)]
    given[str(questions["travel"].pk)] = ["c1", "c9"]
    sent = {"respondent": {"kind": "individual", "publication": "named"}, "answers": given}
    refused = post_json(
        client_api,
        url(form_consultation, "response/"),
        {**sent, "submit": True},
        **token_for(make_user()),
    )
    error = assert_error(refused, 400, "invalid")
    assert set(error["fields"]) == {f"q{questions['agree'].pk}", f"q{questions['travel'].pk}"}
    assert "c9" in error["fields"][f"q{questions['travel'].pk}"][0]
    assert not FormResponse.objects.exists()


def test_who_may_respond_and_when(
    client_api, form_consultation, draft, people, make_user, token_for
):
    sent = {"respondent": {"kind": "individual", "publication": "named"}, "submit": False}
    address = url(form_consultation, "response/")
    assert_error(post_json(client_api, address, sent), 401, "not_authenticated")
    assert_error(client_api.get(address), 401, "not_authenticated")
    read_only = token_for(make_user(), can_write=False)
    assert_error(post_json(client_api, address, sent, **read_only), 403, "permission_denied")
    unconfirmed = token_for(make_user(verified=False))
    refused = assert_error(
        post_json(client_api, address, sent, **unconfirmed), 403, "permission_denied"
    )
    assert "email" in refused["message"]
    nobody = assert_error(client_api.get(address, **token_for(make_user())), 404, "not_found")
    assert "not responded" in nobody["message"]
    assert_error(
        post_json(client_api, url(draft, "response/"), sent, **token_for(make_user())),
        404,
        "not_found",
    )
    form_consultation.status = Status.CLOSED
    form_consultation.save()
    closed = assert_error(
        post_json(client_api, address, sent, **token_for(make_user())), 400, "invalid"
    )
    assert "not taking responses" in closed["message"]
    assert not FormResponse.objects.exists()


def test_responding_is_limited_as_on_the_form_page(
    settings, client_api, form_consultation, make_user, token_for
):
    settings.CONSULT_RATE_LIMITS = {"form_response": {"user": ["2/60"], "ip": []}}
    headers = token_for(make_user())
    sent = {"respondent": {"kind": "individual"}, "answers": {}, "submit": False}
    address = url(form_consultation, "response/")
    for _ in range(2):
        assert post_json(client_api, address, sent, **headers).status_code == 200
    refused = post_json(client_api, address, sent, **headers)
    assert_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) >= 1


# --- hostile input ----------------------------------------------------------------------


def _hostile(q, other):
    text = str(q["comments"].pk)
    agree = str(q["agree"].pk)
    travel = str(q["travel"].pk)
    return [
        ([1, 2], "__all__"),
        ("a string", "__all__"),
        (None, "__all__"),
        ({"answers": [], "submit": True}, "answers"),
        ({"answers": "c1", "submit": True}, "answers"),
        ({"answers": {"abc": "c1"}, "submit": True}, "answers"),
        ({"answers": {"-3": "c1"}, "submit": True}, "answers"),
        ({"answers": {"٣": "c1"}, "submit": True}, "answers"),
        ({"answers": {str(other): "c1"}, "submit": False}, f"q{other}"),
        ({"answers": {agree: ["c1", "c2"]}, "submit": False}, f"q{agree}"),
        ({"answers": {agree: ["c1"]}, "submit": False}, f"q{agree}"),
        ({"answers": {travel: "c1"}, "submit": False}, f"q{travel}"),
        ({"answers": {travel: [1, 2]}, "submit": False}, f"q{travel}"),
        ({"answers": {agree: {"key": "c1"}}, "submit": False}, f"q{agree}"),
        ({"answers": {agree: True}, "submit": False}, f"q{agree}"),
        ({"answers": {agree: 1}, "submit": False}, f"q{agree}"),
        ({"answers": {text: "x" * 1_000_000}, "submit": False}, f"q{text}"),
        ({"answers": {text: "nul \x00 byte"}, "submit": False}, f"q{text}"),
        ({"answers": {text: "half \ud800 a pair"}, "submit": False}, f"q{text}"),
        ({"answers": {travel: ["c1", "\udfff"]}, "submit": False}, f"q{travel}"),
        ({"answers": {str(q["children"].pk): "1e400"}, "submit": False}, f"q{q['children'].pk}"),
        ({"answers": {str(q["children"].pk): 10**30}, "submit": False}, f"q{q['children'].pk}"),
        ({"respondent": [], "submit": False}, "respondent"),
        ({"respondent": None, "submit": False}, "respondent"),
        ({"answers": None, "submit": False}, "answers"),
        ({"respondent": {"kind": "alien"}, "submit": False}, "respondent_kind"),
        ({"respondent": {"organisation_name": ["A"]}, "submit": False}, "organisation_name"),
        ({"respondent": {"organisation_name": "\ud83d"}, "submit": False}, "organisation_name"),
        ({"respondent": {"official_view": "yes"}, "submit": False}, "official_view"),
        ({"respondent": {"publication": "public"}, "submit": False}, "publication"),
        ({"answers": {}}, "submit"),
        ({"answers": {}, "submit": "true"}, "submit"),
        ({"answers": {}, "submit": False, "documents": ["a.pdf"]}, "documents"),
        ({"answers": {str(n): None for n in range(1, 600)}, "submit": False}, "answers"),
    ]


@pytest.mark.parametrize("case", range(34))
def test_hostile_json_gets_a_400_naming_the_field_and_writes_nothing(
    case, client_api, form_consultation, questions, official, tree, make_user, token_for
):
    other = open_consultation(
        official=official,
        department=tree.ministry,
        jurisdiction=tree.nation,
        title="Another form",
        form=True,
    )
    other_question = other.form_questions.first().pk
    cases = _hostile(questions, other_question)
    assert len(cases) == 34
    data, field = cases[case]
    raw = json.dumps(data)
    refused = client_api.post(
        url(form_consultation, "response/"),
        raw,
        content_type="application/json",
        **token_for(make_user()),
    )
    error = assert_error(refused, 400, "invalid")
    if field == "__all__":
        assert "JSON object" in error["message"]
    else:
        assert field in error["fields"], error
        assert all(error["fields"][field]), error
    assert not FormResponse.objects.exists() and not FormAnswer.objects.exists()


def test_a_lone_surrogate_is_named_in_words(
    client_api, form_consultation, questions, make_user, token_for
):
    text = str(questions["comments"].pk)
    raw = '{"answers": {"' + text + '": "half \\ud800 a pair"}, "submit": false}'
    refused = client_api.post(
        url(form_consultation, "response/"),
        raw,
        content_type="application/json",
        **token_for(make_user()),
    )
    error = assert_error(refused, 400, "invalid")
    assert "U+D800" in error["fields"][f"q{text}"][0]


def test_the_other_endpoints_read_only_public_consultations(client_api, draft):
    for tail in ("", "counts/", "responses/"):
        assert_error(client_api.get(url(draft, tail)), 404, "not_found")


def test_held_and_hidden_words_are_not_in_any_form_endpoint(client_api, form_scene):
    for tail in ("", "counts/", "responses/"):
        text = client_api.get(url(form_scene.proposal, tail)).content.decode()
        assert HIDDEN_WORDS not in text and HELD_WORDS not in text
