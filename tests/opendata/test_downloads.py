"""The bulk downloads served: the first one prepared, the last good file
served at once, built again when the data changes, and limited per address."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consult.opendata import builds, bulk, services
from consult.opendata.models import BuildState, DataFile, Scope
from discussion.comments import services as discussion
from discussion.moderation import services as moderation
from tests.opendata.conftest import (
    json_rows,
)

pytestmark = pytest.mark.usefixtures("open_data_settings")


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
    people,
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
    assert [p.name for p in builds.folder().iterdir()] == [DataFile.objects.get().path]

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
    assert builds.data_file_build(file_id=file.pk, attempt=file.attempt).state == "ready"
    assert builds.data_file_build(file_id=file.pk, attempt=file.attempt) is None


def test_a_build_that_stopped_showing_life_is_taken_over(scene, django_capture_on_commit_callbacks):
    file = services.data_file_for(proposal=scene.proposal)
    with django_capture_on_commit_callbacks():
        services.data_file_request(file=file)
    old_attempt = file.attempt
    long_ago = timezone.now() - builds.STALE_AFTER - timedelta(minutes=1)
    DataFile.objects.filter(pk=file.pk).update(state=BuildState.BUILDING, touched_at=long_ago)
    file.refresh_from_db()
    with django_capture_on_commit_callbacks() as queued:
        assert services.data_file_request(file=file)
    assert len(queued) == 1 and file.attempt == old_attempt + 1
    # The first worker, should it wake up, does nothing.
    assert builds.data_file_build(file_id=file.pk, attempt=old_attempt) is None
    assert builds.data_file_build(file_id=file.pk, attempt=file.attempt).state == "ready"


def test_a_failed_build_is_not_retried_at_once(get, scene, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "write_zip", broken)
    url = reverse("opendata:site")
    assert get(url).status == 202
    file = DataFile.objects.get(scope=Scope.SITE)
    assert file.state == BuildState.FAILED and not file.path
    assert not list(builds.folder().glob("*.part"))
    failed = get(url)
    assert failed.status == 503 and failed.response["Retry-After"] == "600"
    assert "could not be prepared" in failed.body.decode()
    assert failed.queued == []


def test_a_draft_or_unknown_consultation_has_no_download(client, scene):
    for slug in (scene.draft_proposal.slug, "no-such-thing"):
        response = client.get(reverse("opendata:consultation", args=[slug]))
        assert response.status_code == 404


def test_downloads_are_limited_per_address_with_retry_after(get, scene, settings):
    settings.CONSULT_OPENDATA_DOWNLOAD_RATES = ["2/60"]
    url = reverse("opendata:site")
    assert get(url).status in (200, 202)
    assert get(url).status in (200, 202)
    refused = get(url)
    assert refused.status == 429 and 1 <= int(refused.response["Retry-After"]) <= 60
    assert b"wait" in refused.body
