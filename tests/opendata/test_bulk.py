"""The bulk downloads: what is in the ZIP, what never is, and how the files
are built again when the data changes."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult.opendata import bulk, fingerprint, public, services
from consult.opendata.dictionary import TABLES
from consult.opendata.models import BuildState, DataFile, Scope
from consult.opendata.pseudonyms import author as author_pseudonym
from consult.opendata.pseudonyms import voter as voter_pseudonym
from discussion.comments import services as discussion
from discussion.models import Comment, CommentVote, ModerationPolicy
from discussion.moderation import services as moderation
from discussion.responses import responses_post_bulk
from proposals.models import Proposal
from proposals.services import drafts, lifecycle, stances, versions
from tests.live_helpers import human
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

# Building the site's ZIP of one consultation, whatever its number of rows.
BUILD_QUERIES = 17
FINGERPRINT_QUERIES = 8

PLANTED_IP = "203.0.113.77"
HIDDEN_WORDS = "Quokka-hidden-words-5521"
HELD_WORDS = "Quokka-held-words-5522"
DELETED_WORDS = "Quokka-deleted-words-5523"
DRAFT_TITLE = "Quokka-draft-title-5524"
UNPUBLISHED_TEXT = "Quokka-unpublished-section-text-5525"
NEVER = (HIDDEN_WORDS, HELD_WORDS, DELETED_WORDS, DRAFT_TITLE, UNPUBLISHED_TEXT, PLANTED_IP)


@pytest.fixture(autouse=True)
def _open_data_settings(settings, tmp_path):
    """Files in a folder of the test's own; the data looked at on every request."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONSULT_OPENDATA_CHECK_SECONDS = 0


@dataclass
class Scene:
    proposal: Proposal
    alice: object
    bob: object
    carol: object
    visible: Comment
    reply: Comment
    formula: Comment
    hidden: Comment
    held: Comment
    deleted: Comment
    draft_proposal: Proposal

    @property
    def secrets(self) -> list[str]:
        """Values of the people that must never leave, in any file."""
        return [
            value
            for user in (self.alice, self.bob, self.carol)
            for value in (user.email, user.display_name, str(user.pk))
        ]


@pytest.fixture
def scene(open_proposal, people, make_user, client) -> Scene:  # noqa: F811
    """A consultation with something of everything, built through the services.
    The people carry distinctive emails, names and account numbers."""
    alice = make_user(
        "alice.quokka.9001@example.org", display_name="Alicequokka Ninethousand", id=987654301
    )
    bob = make_user(
        "bob.quokka.9002@example.org", display_name="Bobquokka Ninethousand", id=987654302
    )
    carol = make_user(
        "carol.quokka.9003@example.org", display_name="Carolquokka Ninethousand", id=987654303
    )
    p = open_proposal
    first, second = p.sections.order_by("order")
    visible = discussion.comment_create(
        actor=alice, proposal=p, section=first, body="Slower cars near the gates, please."
    )
    reply = discussion.comment_create(actor=bob, proposal=p, parent=visible, body="Agreed.")
    formula = discussion.comment_create(
        actor=carol, proposal=p, body='=HYPERLINK("http://evil.example","click")'
    )
    hidden = discussion.comment_create(actor=carol, proposal=p, section=second, body=HIDDEN_WORDS)
    deleted = discussion.comment_create(actor=bob, proposal=p, body=DELETED_WORDS)
    discussion.comment_vote(actor=bob, comment=visible, value="agree")
    discussion.comment_vote(actor=carol, comment=visible, value="disagree")
    discussion.comment_vote(actor=alice, comment=formula, value="pass")
    discussion.comment_vote(actor=alice, comment=hidden, value="agree")
    discussion.comment_vote(actor=alice, comment=deleted, value="agree")
    responses_post_bulk(
        actor=people.official,
        proposal=p,
        comments=[visible, hidden],
        status="noted",
        explanation="We read all of these.",
    )
    moderation.comment_hide(
        actor=people.moderator, comment=hidden, reason="Off topic.", category="off_topic"
    )
    discussion.comment_delete(actor=bob, comment=deleted)
    ModerationPolicy.objects.create(proposal=p, hold_all=True)
    held = discussion.comment_create(actor=carol, proposal=p, body=HELD_WORDS)
    ModerationPolicy.objects.filter(proposal=p).delete()
    assert held.is_held
    # One comment through the plain form, from a known address.
    client.force_login(alice)
    posted = client.post(
        reverse("comment-post", args=[p.slug]),
        human(body="Posted through the form.", section=first.pk),
        REMOTE_ADDR=PLANTED_IP,
    )
    assert posted.status_code in (302, 303)
    client.logout()
    stances.stance_cast(actor=alice, proposal=p, value="support")
    stances.stance_cast(actor=bob, proposal=p, value="support")
    stances.stance_cast(actor=carol, proposal=p, value="oppose", section=first)
    # Edited after publishing, and never published again.
    drafts.section_update(
        actor=people.official, section=second, heading="Limits", body=UNPUBLISHED_TEXT
    )
    draft_proposal = drafts.proposal_create(
        actor=people.official,
        department=p.department,
        jurisdiction=p.jurisdiction,
        title=DRAFT_TITLE,
        summary="Not yet.",
    )
    p.refresh_from_db()
    return Scene(
        p, alice, bob, carol, visible, reply, formula, hidden, held, deleted, draft_proposal
    )


def build(proposals: list[Proposal] | None = None, *, polis: Proposal | None = None):
    proposals = list(public.proposals().order_by("pk")) if proposals is None else proposals
    buffer = io.BytesIO()
    bulk.write_zip(buffer, proposals=proposals, name="test", title="Test", polis=polis)
    return zipfile.ZipFile(buffer)


def consultation_zip(proposal: Proposal) -> zipfile.ZipFile:
    proposals = list(public.proposals().filter(pk=proposal.pk))
    return build(proposals, polis=proposal)


def csv_rows(archive: zipfile.ZipFile, table: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode("utf-8-sig"))))


def json_rows(archive: zipfile.ZipFile, table: str) -> list[dict]:
    return json.loads(archive.read(f"{table}.json"))


def every_byte(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def another_public(people, like: Proposal) -> Proposal:  # noqa: F811
    """A second consultation, published and scheduled, with nothing said yet."""
    other = drafts.proposal_create(
        actor=people.official,
        department=like.department,
        jurisdiction=like.jurisdiction,
        title="Quieter nights",
        summary="Less noise.",
    )
    drafts.section_add(actor=people.official, proposal=other, heading="Noise", body="x")
    versions.version_publish(actor=people.official, proposal=other, change_note="v1")
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=other,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    return other


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
    from consult.opendata import polis

    archive = consultation_zip(scene.proposal)
    for name, content in polis.export_files(scene.proposal).items():
        assert archive.read(f"polis/{name}") == content
    paths = {r["path"] for r in json.loads(archive.read("datapackage.json"))["resources"]}
    assert {f"polis/{name}" for name in polis.FILES} <= paths
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


def test_moderation_is_counted_without_moderators_or_words(scene, people):  # noqa: F811
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


def test_the_site_zip_covers_every_public_consultation(scene, people):  # noqa: F811
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
    people,  # noqa: F811
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


@dataclass
class Got:
    response: object
    body: bytes
    # What the request left for on commit (the build or check it queued).
    queued: list

    @property
    def status(self) -> int:
        return self.response.status_code


@pytest.fixture
def get(client, django_capture_on_commit_callbacks):
    """A download. What it queues runs when it ends (in production the
    worker runs it) unless `run=False`, and is returned either way."""

    def get(url: str, *, run: bool = True, **headers) -> Got:
        with django_capture_on_commit_callbacks(execute=run) as queued:
            response = client.get(url, **headers)
            # Reading a streamed body to its end closes it, as a server would.
            streamed = response.streaming
            body = b"".join(response.streaming_content) if streamed else response.content
        return Got(response, body, queued)

    return get


def test_the_first_download_shows_a_preparing_page_and_queues_one_build(get, scene):
    url = reverse("opendata:consultation", args=[scene.proposal.slug])
    first = get(url, run=False)
    assert first.status == 202 and len(first.queued) == 1
    assert first.response["Retry-After"] == "5"
    assert "no-store" in first.response["Cache-Control"]
    page = first.body.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "is being prepared" in page and "<progress" in page
    file = DataFile.objects.get(proposal=scene.proposal)
    assert file.state == BuildState.QUEUED

    # A second request meanwhile does not start a second build.
    again = get(url, run=False)
    assert again.status == 202 and again.queued == []

    first.queued[0]()  # the worker runs the build
    file.refresh_from_db()
    assert file.state == BuildState.READY and file.progress == 100
    got = get(url)
    assert got.status == 200
    assert got.response["Content-Type"] == "application/zip"
    assert got.response["Content-Length"] == str(file.size) == str(len(got.body))
    assert got.response["ETag"] == f'"{file.sha256}"'
    disposition = got.response["Content-Disposition"]
    assert "attachment" in disposition and f"{scene.proposal.slug}-open-data.zip" in disposition
    assert zipfile.ZipFile(io.BytesIO(got.body)).testzip() is None


def test_an_unchanged_file_answers_304_to_its_etag(get, scene):
    url = reverse("opendata:site")
    assert get(url).status == 202
    got = get(url)
    assert got.status == 200 and got.body.startswith(b"PK")
    etag = got.response["ETag"]
    unchanged = get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status == 304 and unchanged.body == b""
    assert unchanged.response["ETag"] == etag
    assert get(url, HTTP_IF_NONE_MATCH='"something-else"').status == 200


def test_changed_data_is_noticed_the_old_file_served_and_the_new_one_built(
    get,
    scene,
    people,  # noqa: F811
):
    url = reverse("opendata:consultation", args=[scene.proposal.slug])
    get(url)
    first = get(url)
    assert first.status == 200
    file = DataFile.objects.get()
    # The check of unchanged data writes nothing.
    same = get(url)
    assert same.body == first.body
    checked = DataFile.objects.get()
    assert (checked.path, checked.built_at) == (file.path, file.built_at)
    assert checked.state == BuildState.READY and checked.attempt == file.attempt + 1

    new = discussion.comment_create(
        actor=scene.carol, proposal=scene.proposal, body="A late thought about crossings."
    )
    stale = get(url, run=False)
    # The last good file at once, and a check queued, which builds anew.
    assert stale.status == 200 and stale.body == first.body
    assert len(stale.queued) == 1
    stale.queued[0]()
    fresh = get(url)
    assert fresh.response["ETag"] != first.response["ETag"]
    archive = zipfile.ZipFile(io.BytesIO(fresh.body))
    assert new.pk in {row["comment_id"] for row in json_rows(archive, "comments")}
    # The old file is gone from the folder; only the new one stays.
    assert [p.name for p in services.folder().iterdir()] == [DataFile.objects.get().path]

    # A moderator hiding the comment: the file holding its words is not
    # handed out again, not even once, while the new one is built.
    moderation.comment_hide(actor=people.moderator, comment=new, reason="Spam.", category="spam")
    withheld = get(url, run=False)
    assert withheld.status == 202 and b"late thought" not in withheld.body
    assert len(withheld.queued) == 1
    withheld.queued[0]()
    archive = zipfile.ZipFile(io.BytesIO(get(url).body))
    assert new.pk not in {row["comment_id"] for row in json_rows(archive, "comments")}
    # The same for the site-wide file, and for a comment its author deletes.
    site = reverse("opendata:site")
    get(site)
    assert get(site).status == 200
    discussion.comment_delete(
        actor=scene.carol,
        comment=scene.proposal.comments.filter(author=scene.carol, is_deleted=False).first(),
    )
    assert get(site, run=False).status == 202


def test_the_data_is_looked_at_once_in_a_while_not_on_every_download(get, scene, settings):
    url = reverse("opendata:site")
    get(url)
    settings.CONSULT_OPENDATA_CHECK_SECONDS = 30
    downloads = [get(url, run=False) for _ in range(3)]
    assert [got.status for got in downloads] == [200, 200, 200]
    assert sum(len(got.queued) for got in downloads) == 1


def test_a_build_runs_once_per_claim(scene, django_capture_on_commit_callbacks):
    file = services.data_file_for(proposal=None)
    with django_capture_on_commit_callbacks():
        assert services.data_file_request(file=file)
        assert not services.data_file_request(file=file)
    assert services.data_file_build(file_id=file.pk, attempt=file.attempt).state == "ready"
    assert services.data_file_build(file_id=file.pk, attempt=file.attempt) is None


def test_a_build_that_stopped_showing_life_is_taken_over(scene, django_capture_on_commit_callbacks):
    file = services.data_file_for(proposal=scene.proposal)
    with django_capture_on_commit_callbacks():
        services.data_file_request(file=file)
    old_attempt = file.attempt
    long_ago = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    DataFile.objects.filter(pk=file.pk).update(state=BuildState.BUILDING, touched_at=long_ago)
    file.refresh_from_db()
    with django_capture_on_commit_callbacks() as queued:
        assert services.data_file_request(file=file)
    assert len(queued) == 1 and file.attempt == old_attempt + 1
    # The first worker, should it wake up, does nothing.
    assert services.data_file_build(file_id=file.pk, attempt=old_attempt) is None
    assert services.data_file_build(file_id=file.pk, attempt=file.attempt).state == "ready"


def test_a_failed_build_is_not_retried_at_once(get, scene, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "write_zip", broken)
    url = reverse("opendata:site")
    assert get(url).status == 202
    file = DataFile.objects.get(scope=Scope.SITE)
    assert file.state == BuildState.FAILED and not file.path
    assert not list(services.folder().glob("*.part"))
    failed = get(url)
    assert failed.status == 503 and failed.response["Retry-After"] == "600"
    assert "could not be prepared" in failed.body.decode()
    assert failed.queued == []


def test_a_draft_or_unknown_consultation_has_no_download(client, scene):
    for slug in (scene.draft_proposal.slug, "no-such-thing"):
        response = client.get(reverse("opendata:consultation", args=[slug]))
        assert response.status_code == 404


# --- pages -------------------------------------------------------------------------


def test_the_open_data_page_lists_every_public_consultation_and_the_rules(
    client, get, scene, django_assert_max_num_queries
):
    get(reverse("opendata:site"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("opendata:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("opendata:site") in page
    assert reverse("opendata:consultation", args=[scene.proposal.slug]) in page
    assert DRAFT_TITLE not in page
    assert "/api/v1/docs/" in page and "pseudonyms" in page and "CC-BY-4.0" in page
    assert "Prepared on the first download" in page and "Ready" in page


def test_the_consultation_page_and_the_footer_link_to_the_data(client, scene):
    page = client.get(scene.proposal.get_absolute_url()).content.decode()
    assert reverse("opendata:consultation", args=[scene.proposal.slug]) in page
    assert "Download the data" in page
    assert reverse("opendata:index") in page


def test_downloads_are_limited_per_address_with_retry_after(get, scene, settings):
    settings.CONSULT_OPENDATA_DOWNLOAD_RATES = ["2/60"]
    url = reverse("opendata:site")
    assert get(url).status in (200, 202)
    assert get(url).status in (200, 202)
    refused = get(url)
    assert refused.status == 429 and 1 <= int(refused.response["Retry-After"]) <= 60
    assert b"wait" in refused.body
