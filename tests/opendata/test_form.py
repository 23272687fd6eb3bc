"""The response form in the bulk ZIP: its questions, the counts of every
submitted response, and the responses published as their respondents
chose, with the words of hidden and held answers left out."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.opendata import fingerprint, public
from consult.opendata.dictionary import FORMAT_VERSION, TABLES_BY_NAME
from consult.opendata.pseudonyms import author, response
from discussion.submissions.models import FormAnswer
from proposals.questionnaire.services import QuestionInput, question_add
from tests.form_scene import (
    HELD_WORDS,
    HIDDEN_WORDS,
    LETTER_WRITER,
    NAMED_PERSON,
    NEVER_PUBLIC,
    ORGANISATION,
    WITHHELD_WORDS,
    more_responses,
)
from tests.opendata.conftest import build, consultation_zip, csv_rows, every_byte, json_rows

pytestmark = pytest.mark.usefixtures("open_data_settings")


def _by_pseudonym(archive, scene) -> dict:
    rows = {row["response"]: row for row in json_rows(archive, "form_responses")}
    return {r.pk: rows.get(response(scene.proposal.pk, r.pk)) for r in scene.submitted}


def test_the_form_tables_are_in_the_zip_and_described(form_scene):
    archive = consultation_zip(form_scene.proposal)
    package = json.loads(archive.read("datapackage.json"))
    assert package["version"] == str(FORMAT_VERSION) == "5"
    described = {r["name"]: r for r in package["resources"]}
    readme = archive.read("README.md").decode()
    for name in ("form_questions", "form_counts", "form_responses", "form_answers"):
        table = TABLES_BY_NAME[name]
        fields = [f["name"] for f in described[name]["schema"]["fields"]]
        assert fields == table.names == list(csv_rows(archive, name)[0])
        for column in table.columns:
            assert f"| `{column.name}` |" in readme
    assert any("anonymously" in rule for rule in package["privacy"])


def test_questions_are_the_published_ones_with_their_choices_and_condition(
    form_scene,
    official,
):
    q = form_scene.questions
    question_add(
        actor=official,
        proposal=form_scene.proposal,
        data=QuestionInput(kind="text", prompt="Zorilla unpublished question"),
    )
    archive = consultation_zip(form_scene.proposal)
    rows = {row["question_id"]: row for row in json_rows(archive, "form_questions")}
    assert set(rows) == {question.pk for question in q.values()}
    assert "Zorilla unpublished question" not in every_byte(archive)
    agree = rows[q["agree"].pk]
    assert agree["choice_keys"] == ["c1", "c2", "c3"]
    assert agree["choice_labels"] == ["Yes", "No", "Don't know"]
    assert agree["required"] is True and agree["version"] == 1
    why_not = rows[q["why_not"].pk]
    assert why_not["shown_if"] == q["agree"].pk and why_not["shown_if_choices"] == ["c2"]
    assert why_not["text_limit"] == 500
    assert rows[q["safety"].pk]["choice_labels"][-1] == "Don't know"
    assert rows[q["children"].pk]["min_value"] == "0"
    assert rows[q["children"].pk]["max_value"] == "20"


def test_each_publication_choice_is_kept(form_scene):
    scene = form_scene
    for archive in (consultation_zip(scene.proposal), build()):
        rows = _by_pseudonym(archive, scene)
        assert rows[scene.named.pk]["name"] == NAMED_PERSON
        assert rows[scene.named.pk]["official_view"] is None
        # A named organisation shows its own name, not the person's.
        organisation = rows[scene.organisation.pk]
        assert organisation["name"] == ORGANISATION and organisation["official_view"] is True
        assert organisation["organisation_type"] == "community"
        # Anonymous: no name at all, the kind of organisation still shows.
        anonymous = rows[scene.anonymous.pk]
        assert anonymous["name"] == "" or anonymous["name"] is None
        assert anonymous["publication"] == "anonymous"
        assert anonymous["respondent_kind"] == "organisation"
        assert anonymous["organisation_type"] == "business"
        # Withheld: not there, nor its answers.
        assert rows[scene.withheld.pk] is None
        withheld = response(scene.proposal.pk, scene.withheld.pk)
        assert withheld not in {row["response"] for row in json_rows(archive, "form_answers")}
        letter = rows[scene.letter.pk]
        assert letter["name"] == LETTER_WRITER and letter["channel"] == "post"
        assert letter["received_on"] == str(scene.letter.received_on)
        text = every_byte(archive)
        for secret in NEVER_PUBLIC:
            assert secret not in text, secret
        assert len(json_rows(archive, "form_responses")) == len(scene.published)


def test_hidden_and_held_words_leave_with_a_marker_and_the_answer_stays(form_scene):
    scene = form_scene
    archive = consultation_zip(scene.proposal)
    comments = scene.questions["comments"].pk
    answers = {
        (row["response"], row["question_id"]): row for row in json_rows(archive, "form_answers")
    }
    hidden = answers[(response(scene.proposal.pk, scene.hidden.pk), comments)]
    held = answers[(response(scene.proposal.pk, scene.held.pk), comments)]
    assert (hidden["text"], hidden["text_withheld"]) in (("", "hidden"), (None, "hidden"))
    assert (held["text"], held["text_withheld"]) in (("", "held"), (None, "held"))
    named = answers[(response(scene.proposal.pk, scene.named.pk), comments)]
    assert named["text"] == "Named words." and not named["text_withheld"]
    text = every_byte(archive)
    assert HIDDEN_WORDS not in text and HELD_WORDS not in text


def test_answers_keep_choices_in_order_and_numbers_as_decimals(form_scene):
    scene = form_scene
    q = scene.questions
    archive = consultation_zip(scene.proposal)
    mine = response(scene.proposal.pk, scene.organisation.pk)
    rows = {
        row["question_id"]: row
        for row in json_rows(archive, "form_answers")
        if row["response"] == mine
    }
    assert [q["priorities"].label_of(k) for k in rows[q["priorities"].pk]["choices"]] == [
        "Crossings",
        "Speed limit",
        "Cameras",
    ]
    assert rows[q["children"].pk]["number"] == "2"
    assert rows[q["why_not"].pk]["text"] == "Buses would be slower."
    # In the form's order within a response.
    order = [
        row["question_id"] for row in json_rows(archive, "form_answers") if row["response"] == mine
    ]
    assert order == sorted(order, key=lambda pk: [x.pk for x in q.values()].index(pk))


def test_counts_take_in_every_submitted_response_and_no_draft(form_scene):
    scene = form_scene
    q = scene.questions
    archive = consultation_zip(scene.proposal)
    rows = json_rows(archive, "form_counts")

    def row(question, breakdown, group, choice):
        found = [
            r
            for r in rows
            if r["question_id"] == question.pk
            and r["breakdown"] == breakdown
            and (r["group"] or "") == group
            and (r["choice"] or "") == choice
        ]
        assert len(found) == 1, (breakdown, group, choice)
        return found[0]

    submitted = len(scene.submitted)  # the withheld response too; the draft not
    no = row(q["agree"], "all", "", "c2")
    # No: organisation, anonymous, withheld, letter.
    assert (no["responses"], no["answered"], no["count"]) == (submitted, submitted, 4)
    assert no["label"] == "No" and no["first_place"] is None
    organisations = row(q["agree"], "respondent_kind", "organisation", "c2")
    assert (organisations["responses"], organisations["count"]) == (2, 2)
    post = row(q["agree"], "channel", "post", "c2")
    assert (post["responses"], post["count"]) == (1, 1)
    assert row(q["agree"], "channel", "phone", "c1")["count"] == 0
    # Why not: shown only to those who said No.
    assert row(q["why_not"], "all", "", "")["answered"] == 4
    # The hidden and held words count as answers.
    assert row(q["comments"], "all", "", "")["count"] == submitted
    crossings = row(q["priorities"], "all", "", "c2")
    assert crossings["count"] == submitted and crossings["first_place"] == submitted
    assert row(q["safety"], "all", "", "agree")["label"] == "Agree"
    assert WITHHELD_WORDS not in every_byte(archive)


def test_responses_are_sorted_by_pseudonym_and_carry_the_day_only(form_scene):
    scene = form_scene
    archive = consultation_zip(scene.proposal)
    rows = csv_rows(archive, "form_responses")
    names = [row["response"] for row in rows]
    assert names == sorted(names)
    assert all(re.fullmatch(r"r-[a-z2-7]{12}", name) for name in names)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["submitted_on"]) for row in rows)
    # A response's pseudonym is not its respondent's author pseudonym.
    person = scene.named.respondent_id
    assert author(scene.proposal.pk, person) not in names


def test_a_site_zip_of_other_consultations_has_empty_form_tables(scene, people):
    site = build(list(public.proposals().filter(pk=scene.proposal.pk)))
    for name in ("form_questions", "form_counts", "form_responses", "form_answers"):
        assert json_rows(site, name) == []


def test_the_fingerprint_sees_responses_and_moderation_of_answers(form_scene):
    proposals = list(public.proposals().filter(pk=form_scene.proposal.pk))
    before = fingerprint.fingerprint(proposals).digest
    FormAnswer.objects.filter(response=form_scene.named, question__kind="text").update(
        hidden_at=timezone.now()
    )
    hidden = fingerprint.fingerprint(proposals).digest
    assert hidden != before
    form_scene.questions["agree"].__class__.objects.filter(
        pk=form_scene.questions["agree"].pk
    ).update(prompt="Reworded before the first answer")
    assert fingerprint.fingerprint(proposals).digest != hidden


def _build_queries(proposal) -> int:
    proposals = list(public.proposals().filter(pk=proposal.pk))
    with CaptureQueriesContext(connection) as captured:
        build(proposals)
    return len(captured)


def test_building_the_form_tables_takes_the_same_queries_for_5_and_50_responses(
    form_consultation,
    questions,
    make_user,
):
    more_responses(form_consultation, questions, make_user, 5)
    small = _build_queries(form_consultation)
    more_responses(form_consultation, questions, make_user, 45)
    assert _build_queries(form_consultation) == small
    # Pinned: eight of them are the form's (questions; counts: questions,
    # group sizes, answers; responses; answers: questions, pseudonym order,
    # and one read per 500 published responses).
    assert small == 22
