"""The bulk downloads' ZIP: what is in it, what never is, and what building
it costs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult.opendata import fingerprint, public
from consult.opendata.dictionary import TABLES
from consult.opendata.pseudonyms import author as author_pseudonym
from consult.opendata.pseudonyms import voter as voter_pseudonym
from discussion.comments import services as discussion
from discussion.models import Comment, CommentVote
from tests.opendata.conftest import (
    DELETED_WORDS,
    DRAFT_TITLE,
    HELD_WORDS,
    HIDDEN_WORDS,
    PLANTED_IP,
    UNPUBLISHED_TEXT,
    another_public,
    build,
    consultation_zip,
    csv_rows,
    every_byte,
    json_rows,
)

pytestmark = pytest.mark.usefixtures("open_data_settings")


# Building the site's ZIP of one consultation, whatever its number of rows: 17
# for the discussion's tables, 7 for the response form's (one more per 500
# published responses, whose answers are read together).
BUILD_QUERIES = 24
FINGERPRINT_QUERIES = 11

# --- what is in the ZIP ------------------------------------------------------------


def test_every_table_is_there_as_csv_and_json_with_the_dictionary_columns(scene):
    archive = consultation_zip(scene.proposal)
    names = set(archive.namelist())
    for table in TABLES:
        assert set(table.files) <= names
        raw = archive.read(f"{table.name}.csv")
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
        header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert header == table.names
        for row in json_rows(archive, table.name):
            assert list(row) == table.names
    assert {"README.md", "datapackage.json"} <= names


def test_every_written_file_and_column_is_described_in_the_dictionary(scene):
    archive = consultation_zip(scene.proposal)
    package = json.loads(archive.read("datapackage.json"))
    readme = archive.read("README.md").decode()
    described = {resource["path"]: resource for resource in package["resources"]}
    assert set(archive.namelist()) - {"README.md", "datapackage.json"} == set(described)
    for name in archive.namelist():
        if name.startswith("polis/"):
            continue  # described by the Polis export format
        if name.endswith(".csv"):
            header = next(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            fields = [field["name"] for field in described[name]["schema"]["fields"]]
            assert header == fields
            assert all(field["description"] for field in described[name]["schema"]["fields"])
            assert all(f"`{column}`" in readme for column in header)
            assert f"`{name}`" in readme
        elif name.endswith(".json") and name != "datapackage.json":
            keys = {key for row in json_rows(archive, name[:-5]) for key in row}
            fields = {field["name"] for field in described[name]["schema"]["fields"]}
            assert keys <= fields
    assert package["privacy"] and package["licenses"]
    assert "pseudonym" in readme and "counts only" in readme


def test_a_consultations_zip_holds_its_polis_export_and_lists_it(scene):
    from consult.opendata.polis.export import export_files
    from consult.opendata.polis.formats import FILES

    archive = consultation_zip(scene.proposal)
    for name, content in export_files(scene.proposal).items():
        assert archive.read(f"polis/{name}") == content
    paths = {r["path"] for r in json.loads(archive.read("datapackage.json"))["resources"]}
    assert {f"polis/{name}" for name in FILES} <= paths
    assert "`polis/`" in archive.read("README.md").decode()
    assert not [name for name in build().namelist() if name.startswith("polis/")]


def test_the_rows_say_what_the_consultation_holds(scene):
    p = scene.proposal
    archive = consultation_zip(p)
    (consultation,) = json_rows(archive, "consultations")
    assert consultation["consultation_id"] == p.pk and consultation["status"] == "open"
    assert consultation["current_version"] == 1
    assert consultation["topics"] == ["road safety", "transport"]
    assert csv_rows(archive, "consultations")[0]["topics"] == "road safety; transport"

    comments = {row["comment_id"]: row for row in json_rows(archive, "comments")}
    visible = comments[scene.visible.pk]
    assert visible["author"] == author_pseudonym(p.pk, scene.alice.pk)
    assert visible["section_id"] == scene.visible.section_id and visible["version"] == 1
    assert comments[scene.reply.pk]["parent_id"] == scene.visible.pk
    assert comments[scene.reply.pk]["depth"] == 1

    votes = json_rows(archive, "votes")
    assert {(v["comment_id"], v["voter"], v["value"]) for v in votes} == {
        (scene.visible.pk, voter_pseudonym(p.pk, scene.bob.pk), "agree"),
        (scene.visible.pk, voter_pseudonym(p.pk, scene.carol.pk), "disagree"),
        (scene.formula.pk, voter_pseudonym(p.pk, scene.alice.pk), "pass"),
    }
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", vote["day"]) for vote in votes)
    # Times to the second, in UTC.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", visible["created_at"])

    sections = json_rows(archive, "sections")
    assert [(s["version"], s["heading"]) for s in sections] == [(1, "Purpose"), (1, "Limits")]
    (question,) = json_rows(archive, "questions")
    assert question["prompt"] == "Would this change how you travel?"
    (version,) = json_rows(archive, "versions")
    assert version["change_note"] == "First draft."


def test_stances_leave_as_counts_only(scene):
    archive = consultation_zip(scene.proposal)
    first = scene.visible.section_id
    assert {(r["section_id"], r["value"], r["count"]) for r in json_rows(archive, "stances")} == {
        (None, "support", 2),
        (first, "oppose", 1),
    }
    assert [
        column.name for column in TABLES[[t.name for t in TABLES].index("stances")].columns
    ] == [
        "consultation_id",
        "section_id",
        "value",
        "count",
    ]


def test_a_voter_cannot_be_linked_to_the_same_persons_comments(scene):
    archive = consultation_zip(scene.proposal)
    authors = {row["author"] for row in json_rows(archive, "comments")}
    voters = {row["voter"] for row in json_rows(archive, "votes")}
    assert authors and voters and not authors & voters
    # Alice wrote and voted: her two pseudonyms share nothing.
    p = scene.proposal.pk
    mine = author_pseudonym(p, scene.alice.pk), voter_pseudonym(p, scene.alice.pk)
    assert mine[0] in authors and mine[1] in voters and mine[0][2:] != mine[1][2:]


def test_votes_are_sorted_by_comment_and_pseudonym_not_by_when(scene):
    votes = json_rows(consultation_zip(scene.proposal), "votes")
    assert votes == sorted(votes, key=lambda v: (v["comment_id"], v["voter"]))


def test_spreadsheet_formulas_are_neutralised_in_csv_and_kept_in_json(scene):
    tricky = discussion.comment_create(
        actor=scene.bob,
        proposal=scene.proposal,
        body='He said "slow down"\\ and left.\n\n学校周边的交通安全 \u2028 \U0001f6b8 \x7f',
    )
    archive = consultation_zip(scene.proposal)
    csv_body = {int(r["comment_id"]): r["body"] for r in csv_rows(archive, "comments")}
    json_body = {r["comment_id"]: r["body"] for r in json_rows(archive, "comments")}
    assert csv_body[scene.formula.pk] == "'" + scene.formula.body
    assert json_body[scene.formula.pk] == scene.formula.body
    tricky.refresh_from_db()
    assert json_body[tricky.pk] == csv_body[tricky.pk] == tricky.body
    assert "学校" in tricky.body


def test_responses_name_the_department_and_only_public_comments(scene):
    archive = consultation_zip(scene.proposal)
    (response,) = json_rows(archive, "responses")
    assert response["department"] == scene.proposal.department.name
    assert response["comment_ids"] == [scene.visible.pk]
    assert response["kind"] == "comments" and response["status"] == "noted"
    assert csv_rows(archive, "responses")[0]["comment_ids"] == str(scene.visible.pk)


def test_moderation_is_counted_without_moderators_or_words(scene, people):
    archive = consultation_zip(scene.proposal)
    counts = {(r["kind"], r["code"]): r["count"] for r in json_rows(archive, "moderation")}
    assert counts[("action", "comment.hide")] == 1
    assert counts[("action", "comment.hold")] == 1
    assert counts[("hidden_category", "off_topic")] == 1
    assert not any(code.startswith("proposal.") for _, code in counts)
    text = every_byte(archive)
    assert "Off topic." not in text
    # ("Official" and "Moderator", their names here, are words of the labels.)
    assert people.moderator.email not in text and people.official.email not in text


# --- what never leaves -------------------------------------------------------------


def test_hidden_held_and_deleted_comments_their_words_and_votes_never_leave(scene):
    for archive in (consultation_zip(scene.proposal), build()):
        ids = {row["comment_id"] for row in json_rows(archive, "comments")}
        gone = {scene.hidden.pk, scene.held.pk, scene.deleted.pk}
        assert not ids & gone
        assert not {row["comment_id"] for row in json_rows(archive, "votes")} & gone
        text = every_byte(archive)
        for words in (HIDDEN_WORDS, HELD_WORDS, DELETED_WORDS):
            assert words not in text


def test_no_email_name_account_number_or_address_in_any_byte(scene):
    for archive in (consultation_zip(scene.proposal), build()):
        text = every_byte(archive)
        for secret in [*scene.secrets, PLANTED_IP, "@example.org"]:
            assert secret not in text, secret
        # The comment posted from that address is there, without it.
        assert "Posted through the form." in text


def test_drafts_and_unpublished_section_text_never_appear(scene):
    site = build()
    text = every_byte(site)
    assert DRAFT_TITLE not in text and UNPUBLISHED_TEXT not in text
    ids = {row["consultation_id"] for row in json_rows(site, "consultations")}
    assert scene.proposal.pk in ids and scene.draft_proposal.pk not in ids
    # The section's text as published is there.
    assert "20 km/h at all times." in text


def test_the_site_zip_covers_every_public_consultation(scene, people):
    other = another_public(people, scene.proposal)
    site = build()
    consultations = json_rows(site, "consultations")
    assert {row["consultation_id"] for row in consultations} == {scene.proposal.pk, other.pk}
    assert {row["consultation_id"] for row in json_rows(site, "sections")} == {
        scene.proposal.pk,
        other.pk,
    }
    # Pseudonyms are per consultation: the site ZIP keeps them apart too.
    comments = json_rows(site, "comments")
    assert {row["consultation_id"] for row in comments} == {scene.proposal.pk}


# --- building, serving, building again --------------------------------------------


def test_building_takes_the_same_queries_whatever_the_number_of_rows(
    scene, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as small:
        build()
    p = scene.proposal
    section = scene.visible.section
    more = Comment.objects.bulk_create(
        Comment(
            proposal=p,
            section=section,
            author=scene.bob,
            body=f"More {n}",
            body_html=f"<p>More {n}</p>",
            version_id=p.current_version_id,
        )
        for n in range(40)
    )
    CommentVote.objects.bulk_create(
        CommentVote(comment=comment, user=voter, value="agree")
        for comment in more
        for voter in (scene.alice, scene.carol)
    )
    with django_assert_max_num_queries(BUILD_QUERIES):
        archive = build()
    assert len(json_rows(archive, "votes")) == 3 + 80
    assert len(small) == BUILD_QUERIES


def test_the_fingerprint_is_a_few_aggregate_queries_for_any_number_of_consultations(
    scene,
    people,
    django_assert_num_queries,
):
    proposals = list(public.proposals())
    with django_assert_num_queries(FINGERPRINT_QUERIES):
        one = fingerprint.fingerprint(proposals)
    assert one.rows > 10
    another_public(people, scene.proposal)
    proposals = list(public.proposals())
    with django_assert_num_queries(FINGERPRINT_QUERIES):
        two = fingerprint.fingerprint(proposals)
    assert two.digest != one.digest
