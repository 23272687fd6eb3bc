"""Download my data: built in the background, its link works once, for its
owner only, for seven days; its archive holds the person's data and nobody
else's."""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.accounts.signals import personal_data
from consult.privacy import export as export_module
from consult.privacy.models import DataExport, ExportState
from consult.privacy.services import archives, erasure, exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Ask for a person's archive and let the background worker build it."""

    def build(user, language: str = "en") -> DataExport:
        with django_capture_on_commit_callbacks(execute=True):
            export = exports.export_request(actor=user, language=language)
        export.refresh_from_db()
        return export

    return build


def download(client: Client, export: DataExport):
    return client.get(archives.export_url(export))


def archive_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- building -----------------------------------------------------------------------------


def test_the_archive_is_built_in_the_background_and_its_owner_is_emailed(
    make_user, build, exports_dir
):
    person = make_user("ada@example.org")
    export = build(person)

    assert export.state == ExportState.READY and export.progress == 100
    assert export.expires_at - export.ready_at == timedelta(days=7)
    assert export.downloaded_at is None
    file = exports_dir / export.path
    assert file.is_file() and export.size == file.stat().st_size
    # Readable by the server's own user only, in a folder outside the media root.
    assert file.stat().st_mode & 0o077 == 0
    # Only a digest of the link's secret is stored.
    token = archives.export_token(export)
    assert token not in export.token_digest and token != export.nonce

    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    link = f"https://consult.example/accounts/privacy/export/{token}/"
    assert link in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and link in html


def test_the_email_is_written_in_the_language_the_person_asked_in(make_user, build):
    build(make_user(), language="zh-hans")
    [(html, _mimetype)] = mail.outbox[0].alternatives
    assert '<html lang="zh-hans">' in html


def test_nothing_is_built_before_the_request_commits(make_user, exports_dir):
    person = make_user()
    export = exports.export_request(actor=person)  # the test's transaction never commits
    export.refresh_from_db()
    assert export.state == ExportState.QUEUED
    assert not exports_dir.exists() or not any(exports_dir.iterdir())


def test_a_failed_build_leaves_no_file_and_says_so(make_user, build, exports_dir, monkeypatch):
    def broken(user, progress):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(export_module, "collect", broken)
    person = make_user()
    export = build(person)
    assert export.state == ExportState.FAILED and not export.path
    assert not any(exports_dir.iterdir())
    assert mail.outbox == []
    client = Client()
    client.force_login(person)
    page = client.get("/accounts/privacy/").content.decode()
    assert "could not be prepared" in page
    # And the person may ask again at once.
    monkeypatch.undo()
    assert build(person).state == ExportState.READY


def test_a_build_for_an_account_deleted_meanwhile_writes_nothing(make_user, exports_dir):
    person = make_user()
    export = exports.export_request(actor=person)
    erasure.account_delete(actor=None, user=person)
    assert archives.export_build(export_id=export.pk) is None
    assert not exports_dir.exists() or not any(exports_dir.iterdir())


def test_a_build_whose_request_was_given_up_removes_its_file(make_user, exports_dir, monkeypatch):
    person = make_user()
    export = exports.export_request(actor=person)
    real = export_module.write_zip

    def slow_worker(*args, **kwargs):
        # Meanwhile the hourly sweep took the build for dead.
        DataExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, "write_zip", slow_worker)
    assert archives.export_build(export_id=export.pk) is None
    assert not any(exports_dir.iterdir())


# --- the archive ------------------------------------------------------------------------


def test_the_archive_holds_the_persons_data_and_nobody_elses(footprint, build, signed_in):
    person = footprint.person
    archive = archive_of(download(signed_in(person), build(person)))
    names = set(archive.namelist())
    for table in (
        "profile",
        "email_addresses",
        "comments",
        "comment_edits",
        "comment_votes",
        "stances",
        "follows",
        "reports_filed",
        "appeals",
        "notifications",
        "api_tokens",
    ):
        assert {f"{table}.json", f"{table}.csv"} <= names
    assert "README.txt" in names

    def table(name):
        return json.loads(archive.read(f"{name}.json"))

    [profile] = table("profile")
    assert profile["email"] == "ada@example.org"
    assert profile["display_name"] == "Ada Lovelace"
    assert profile["where_you_live"] == "City"
    assert {row["body"] for row in table("comments")} == {
        "My own words on the limit.",
        '=HYPERLINK("http://evil.example")',
    }
    assert {row["state"] for row in table("comments")} == {"public"}
    [vote] = table("comment_votes")
    assert (vote["comment"], vote["value"]) == (footprint.others_comment.pk, "agree")
    assert sorted((row["section"] or "", row["value"]) for row in table("stances")) == [
        ("", "support"),
        (footprint.section.heading, "oppose"),
    ]
    assert [row["consultation"] for row in table("follows")] == [footprint.proposal.title]
    [report] = table("reports_filed")
    assert report["note"] == "Looks like spam"
    [token] = table("api_tokens")
    assert token["name"] == "my research script"
    assert set(token) == {
        "name",
        "prefix",
        "can_write",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }
    [notification] = table("notifications")
    assert notification["kind"] == "reply"

    everything = b"".join(archive.read(name) for name in names).decode("utf-8-sig")
    for someone_elses in (
        "Someone else's words entirely.",
        "A reply from someone else.",
        "grace@example.org",
        "Grace Hopper",
        "grace's token",
        footprint.token.digest,
    ):
        assert someone_elses not in everything


def test_the_csv_files_open_safely_in_a_spreadsheet(footprint, build, signed_in):
    person = footprint.person
    archive = archive_of(download(signed_in(person), build(person)))
    raw = archive.read("comments.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert '\'=HYPERLINK("http://evil.example")' in {row["body"] for row in rows}
    # The JSON keeps the words as written.
    assert '=HYPERLINK("http://evil.example")' in {
        row["body"] for row in json.loads(archive.read("comments.json"))
    }


def test_the_readme_lists_every_file(footprint, build, signed_in):
    person = footprint.person
    archive = archive_of(download(signed_in(person), build(person)))
    readme = archive.read("README.txt").decode()
    for name in archive.namelist():
        assert name in readme
    assert "(2 rows)" in readme  # the comments


def test_other_apps_add_their_tables_through_the_personal_data_signal(make_user, build, signed_in):
    calls = []

    def identity(sender, user, **kwargs):
        calls.append(user.pk)
        return {"identity claims": [{"jurisdiction": "City", "verified_at": "2026-01-02T03:04:05"}]}

    def clashing(sender, user, **kwargs):
        return {"profile": [{"something": "else"}]}

    personal_data.connect(identity, dispatch_uid="test-identity")
    personal_data.connect(clashing, dispatch_uid="test-clash")
    try:
        person = make_user()
        archive = archive_of(download(signed_in(person), build(person)))
    finally:
        personal_data.disconnect(dispatch_uid="test-identity")
        personal_data.disconnect(dispatch_uid="test-clash")
    assert calls == [person.pk]
    assert json.loads(archive.read("identity_claims.json")) == [
        {"jurisdiction": "City", "verified_at": "2026-01-02T03:04:05"}
    ]
    # A receiver's table never replaces one of the archive's own.
    assert json.loads(archive.read("profile_2.json")) == [{"something": "else"}]
    assert json.loads(archive.read("profile.json"))[0]["email"] == person.email


def test_a_receiver_answering_in_the_wrong_shape_fails_the_archive(make_user, build):
    def broken(sender, user, **kwargs):
        return {"rows": "not a list"}

    personal_data.connect(broken, dispatch_uid="test-broken")
    try:
        export = build(make_user())
    finally:
        personal_data.disconnect(dispatch_uid="test-broken")
    assert export.state == ExportState.FAILED


# --- the link ------------------------------------------------------------------------------


def test_the_link_works_once_and_the_file_is_deleted_after_it_is_served(
    make_user, build, signed_in, exports_dir
):
    person = make_user()
    export = build(person)
    client = signed_in(person)
    file = exports_dir / export.path

    first = download(client, export)
    assert first["Content-Disposition"].startswith('attachment; filename="consult-my-data-')
    assert "no-store" in first["Cache-Control"]
    archive_of(first)  # read to the end, and closed
    assert not file.exists()
    export.refresh_from_db()
    assert export.downloaded_at is not None and export.path == ""

    again = download(client, export)
    assert again.status_code == 410
    assert "already downloaded" in again.content.decode()
    assert 'action="/accounts/privacy/export/"' in again.content.decode()


def test_the_link_is_the_owners_only(make_user, build, signed_in):
    person = make_user()
    export = build(person)

    assert download(signed_in(make_user()), export).status_code == 404
    anonymous = download(Client(), export)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/accounts/privacy/export/")
    # Neither used it up.
    export.refresh_from_db()
    assert export.downloaded_at is None
    archive_of(download(signed_in(person), export))


@pytest.mark.parametrize(
    "token", ["nope", "x" * 43, "x" * 500, "%00", "../../etc/passwd", "' OR 1=1 --"]
)
def test_a_made_up_link_is_not_found(make_user, build, signed_in, token):
    person = make_user()
    build(person)
    assert signed_in(person).get(f"/accounts/privacy/export/{token}/").status_code == 404


def test_the_link_expires_after_seven_days(make_user, build, signed_in, exports_dir):
    person = make_user()
    export = build(person)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = download(signed_in(person), export)

    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page and "7 days" in page
    assert "Ask for a new copy of my data" in page
    export.refresh_from_db()
    assert export.downloaded_at is None


def test_a_head_request_does_not_use_up_the_link(make_user, build, signed_in):
    person = make_user()
    export = build(person)
    client = signed_in(person)
    assert client.head(archives.export_url(export)).status_code == 405
    archive_of(download(client, export))


def test_two_downloads_at_once_serve_the_file_once(make_user, build, exports_dir):
    person = make_user()
    export = build(person)
    read_by_the_second = DataExport.objects.get(pk=export.pk)

    first = archives.export_download_open(actor=person, export_row=export)
    assert archives.export_download_open(actor=person, export_row=read_by_the_second) is None

    assert first.read(2) == b"PK"
    first.close()
    assert not any(exports_dir.iterdir())


def test_a_link_of_an_archive_still_being_prepared_leads_to_the_page(make_user, signed_in):
    person = make_user()
    export = exports.export_request(actor=person)
    response = download(signed_in(person), export)
    assert response.status_code == 302 and response["Location"] == "/accounts/privacy/"


# --- asking -------------------------------------------------------------------------------


def test_one_archive_at_a_time(make_user):
    person = make_user()
    exports.export_request(actor=person)
    with pytest.raises(ValidationError) as refused:
        exports.export_request(actor=person)
    assert refused.value.messages == [str(exports.EXPORT_IN_PROGRESS)]
    # The database says so too, should two requests pass the check at once.
    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.create(user=person, nonce="n", token_digest="d")


def test_a_build_stuck_for_an_hour_is_given_up_and_the_person_may_ask_again(make_user):
    person = make_user()
    stuck = exports.export_request(actor=person)
    DataExport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    exports.export_request(actor=person)
    stuck.refresh_from_db()
    assert stuck.state == ExportState.FAILED


def test_at_most_three_requests_a_day(make_user, build, signed_in):
    person = make_user()
    for _ in range(3):
        build(person)
    with pytest.raises(ValidationError) as refused:
        exports.export_request(actor=person)
    assert "at most 3 times a day" in refused.value.messages[0]

    client = signed_in(person)
    response = client.post("/accounts/privacy/export/", follow=True)
    assert "at most 3 times a day" in response.content.decode()
    assert DataExport.objects.filter(user=person).count() == 3
    # A day later, they may ask again.
    DataExport.objects.filter(user=person).update(created_at=timezone.now() - timedelta(days=1))
    exports.export_request(actor=person)


def test_only_a_signed_in_active_person_may_ask(make_user):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        exports.export_request(actor=AnonymousUser())
    with pytest.raises(PermissionDenied):
        exports.export_request(actor=make_user(is_active=False))
    assert Client().post("/accounts/privacy/export/").status_code == 302
    assert not DataExport.objects.exists()


def test_asking_from_the_page_and_watching_it_being_prepared(
    make_user, signed_in, django_capture_on_commit_callbacks
):
    person = make_user()
    client = signed_in(person)
    assert client.get("/accounts/privacy/export/").status_code == 405

    response = client.post("/accounts/privacy/export/", follow=True)  # the worker not started
    page = response.content.decode()
    assert "We are preparing a copy of your data" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "waiting for the background worker" in page
    assert "Ask for a copy of my data" not in page

    export = DataExport.objects.get(user=person)
    DataExport.objects.filter(pk=export.pk).update(state=ExportState.BUILDING, progress=40)
    page = client.get("/accounts/privacy/").content.decode()
    assert "40% done" in page and 'value="40"' in page

    DataExport.objects.filter(pk=export.pk).update(state=ExportState.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        archives.export_build(export_id=export.pk)
    page = client.get("/accounts/privacy/").content.decode()
    assert 'http-equiv="refresh"' not in page
    export.refresh_from_db()
    assert f'href="{archives.export_url(export)}"' in page


def test_the_page_draws_in_a_fixed_number_of_queries(make_user, build, signed_in):
    person = make_user()
    client = signed_in(person)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/accounts/privacy/").status_code == 200
        return len(captured)

    build(person)
    one = count()
    build(person)
    build(person)
    assert count() == one


# --- the hourly sweep ----------------------------------------------------------------------


def test_the_sweep_removes_expired_and_served_files_and_forgets_old_requests(
    make_user, build, exports_dir
):
    person, other, third = make_user(), make_user(), make_user()
    expired, kept = build(person), build(other)
    DataExport.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    stalled = exports.export_request(actor=third)
    DataExport.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(hours=2))
    old = DataExport.objects.create(
        user=person,
        nonce="old",
        token_digest="old",
        state=ExportState.FAILED,
        created_at=timezone.now() - timedelta(days=31),
    )
    exports_dir.joinpath("left-over.zip").write_bytes(b"half")
    an_hour_ago = time.time() - 3700
    os.utime(exports_dir / "left-over.zip", (an_hour_ago, an_hour_ago))
    exports_dir.joinpath(".export-being-written.part").write_bytes(b"busy")

    from consult.privacy.tasks import exports_expire

    result = exports_expire.enqueue().return_value

    assert result == {"removed": 1, "stalled": 1, "forgotten": 1, "orphans": 1}
    assert not (exports_dir / expired.path).exists()
    assert (exports_dir / kept.path).exists()
    assert (exports_dir / ".export-being-written.part").exists()
    assert DataExport.objects.get(pk=expired.pk).path == ""
    assert DataExport.objects.get(pk=stalled.pk).state == ExportState.FAILED
    assert not DataExport.objects.filter(pk=old.pk).exists()
    # The expired link still says why it no longer works.
    client = Client()
    client.force_login(person)
    assert download(client, expired).status_code == 410
