"""Each app lists and erases the rows it owns, once: a person's archive has
one table per kind of row, whoever answers for it."""

from __future__ import annotations

import io
import zipfile

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db.models import Q

from consult.accounts.models import AuditEntry, Role
from consult.accounts.signals import account_erasing, personal_data
from consult.privacy import export
from consult.privacy.services import archives, erasure, exports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    folder = tmp_path / "exports"
    settings.CONSULT_EXPORTS_DIR = str(folder)
    return folder


def archive_names(user, exports_dir, django_capture_on_commit_callbacks) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        row = exports.export_request(actor=user)
    row.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO((exports_dir / row.path).read_bytes())) as archive:
        return archive.namelist()


def test_a_single_sign_on_users_archive_has_one_table_of_sign_in_links(
    make_user, exports_dir, django_capture_on_commit_callbacks
):
    person = make_user()
    SocialAccount.objects.create(user=person, provider="government", uid="gov-12345", extra_data={})

    names = archive_names(person, exports_dir, django_capture_on_commit_callbacks)

    links = [name for name in names if name.startswith("sign_in_links")]
    assert links == ["sign_in_links.json", "sign_in_links.csv"]
    [table] = [table for table in export.collect(person) if table.name == "sign_in_links"]
    [row] = table.rows
    assert row["subject"] == "gov-12345"
    assert table.about.startswith("Accounts at other services")


def test_no_two_apps_answer_for_the_same_table(make_user, tree, grant):
    person = grant(make_user(), tree.city_office, Role.MODERATOR)
    SocialAccount.objects.create(user=person, provider="government", uid="gov-1", extra_data={})
    names = []
    for _receiver, answer in personal_data.send(sender=None, user=person):
        names += list(answer or {})
    assert len(names) == len(set(names))
    assert {
        "profile",
        "email_addresses",
        "sign_in_links",
        "two_factor",
        "notifications",
        "notification_preferences",
        "api_tokens",
        "identity_verifications",
        "stances",
        "follows",
        "comments",
        "comment_edits",
        "comment_votes",
        "reports_filed",
        "appeals",
        "form_responses",
        "form_documents",
    } == set(names)


def test_erasure_is_done_by_the_receivers_and_counted_on_the_audit_log(make_user, tree, grant):
    from consult.api import tokens

    person = grant(make_user(), tree.city_office, Role.OFFICIAL)
    tokens.token_create(actor=person, name="script", can_write=False)
    answers = dict(account_erasing.send(sender=None, user=make_user()))
    # Only the apps that count something for the log answer.
    counted = [answer for answer in answers.values() if answer]
    assert sorted(counted, key=lambda answer: sorted(answer)) == [
        {"form_drafts_deleted": 0},
        {"rename_events": 0},
        {"roles_removed": 0},
        {"tokens_revoked": 0},
    ]

    erasure.account_delete(actor=None, user=person)

    entry = AuditEntry.objects.get(Q(action="account.deleted"), target_id=str(person.pk))
    assert entry.after == {
        "by_self": False,
        "roles_removed": 1,
        "form_drafts_deleted": 0,
        "rename_events": 0,
        "tokens_revoked": 1,
    }
    assert not archives.folder().exists() or not any(archives.folder().iterdir())
