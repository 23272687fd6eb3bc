"""Deleting an account anonymises it: what names or reaches the person goes,
what they contributed stays, shown as by a "deleted participant"."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from consult.accounts.models import AuditEntry, Membership, Role, User, UserSession
from consult.accounts.signals import account_erasing
from consult.api.models import AccessToken
from consult.notifications.models import Notification
from consult.privacy.models import DataExport
from consult.privacy.services import erasure, exports
from discussion.comments import services as discussion_services
from discussion.models import Comment, CommentVote, Event, Report
from proposals.models import Follow, ProposalStance, SectionStance
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OLD_EMAIL = "ada@example.org"


def delete_from_the_page(client: Client, **fields):
    return client.post("/accounts/privacy/delete/", fields)


def linked_elsewhere(person) -> None:
    """A sign-in link with its token, a second factor, a pending email confirmation."""
    account = SocialAccount.objects.create(user=person, provider="government", uid="gov-12345")
    SocialToken.objects.create(account=account, token="provider-access-token")
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    address = EmailAddress.objects.create(user=person, email="ada.second@example.org")
    EmailConfirmation.create(address)


def test_deleting_an_account_anonymises_everything_that_names_or_reaches_the_person(
    footprint, signed_in, tree, grant, django_capture_on_commit_callbacks, exports_dir
):
    person, other = footprint.person, footprint.other
    grant(person, tree.city_office, Role.MODERATOR)
    linked_elsewhere(person)
    # Someone is told about the person's reply to them.
    discussion_services.comment_create(
        actor=person, proposal=footprint.proposal, parent=footprint.others_comment, body="Thanks!"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ready = exports.export_request(actor=person)
    ready.refresh_from_db()
    archive = exports_dir / ready.path
    assert archive.is_file()
    laptop, phone = signed_in(person), signed_in(person)
    theirs = signed_in(other)
    contributions = {
        "comments": Comment.objects.filter(author=person).count(),
        "votes": CommentVote.objects.filter(user=person).count(),
        "stances": ProposalStance.objects.filter(user=person).count()
        + SectionStance.objects.filter(user=person).count(),
        "reports": Report.objects.filter(reporter=person).count(),
    }
    assert contributions == {"comments": 3, "votes": 1, "stances": 2, "reports": 1}

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_from_the_page(laptop, password=PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/accounts/privacy/deleted/"
    done = laptop.get(response["Location"])
    assert "Your account has been deleted" in done.content.decode()
    assert "_auth_user_id" not in laptop.session

    person.refresh_from_db()
    assert person.display_name == ""
    assert person.public_name == "deleted participant"
    assert re.fullmatch(rf"deleted-{person.pk}-[0-9a-f]{{16}}@deleted\.invalid", person.email)
    assert not person.has_usable_password()
    assert not person.is_active
    assert person.home_jurisdiction is None and person.last_login is None
    assert person.deleted_at is not None
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not EmailConfirmation.objects.filter(email_address__email="ada.second@example.org")
    assert not SocialAccount.objects.filter(user=person).exists()
    assert not SocialToken.objects.exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not Membership.objects.filter(user=person).exists()
    assert not Follow.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not DataExport.objects.filter(user=person).exists() and not archive.exists()
    assert not AccessToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert AccessToken.objects.filter(user=person).count() == 1  # revoked, not forgotten
    assert not UserSession.objects.filter(user_id=person.pk).exists()
    assert phone.get("/accounts/privacy/").status_code == 302  # signed out there too
    assert theirs.get("/accounts/privacy/").status_code == 200

    # What they contributed stays, and other people's things are untouched.
    assert {
        "comments": Comment.objects.filter(author=person).count(),
        "votes": CommentVote.objects.filter(user=person).count(),
        "stances": ProposalStance.objects.filter(user=person).count()
        + SectionStance.objects.filter(user=person).count(),
        "reports": Report.objects.filter(reporter=person).count(),
    } == contributions
    assert Follow.objects.filter(user=other).exists()
    assert Notification.objects.filter(recipient=other, actor=person).exists()
    assert AccessToken.objects.filter(user=other, revoked_at__isnull=True).exists()

    # The log says it happened, and nothing about who they were.
    entry = AuditEntry.objects.get(action="account.deleted")
    assert (entry.actor_id, entry.target_id) == (person.pk, str(person.pk))
    recorded = f"{entry.before} {entry.after} {entry.reason}"
    assert OLD_EMAIL not in recorded and "Ada" not in recorded


def test_contributions_show_a_deleted_participant_everywhere_they_are_drawn(
    footprint, signed_in, django_capture_on_commit_callbacks
):
    person, other = footprint.person, footprint.other
    discussion_services.comment_create(
        actor=person, proposal=footprint.proposal, parent=footprint.others_comment, body="Thanks!"
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_delete(actor=person, user=person, password=PASSWORD)

    page = Client().get(
        f"/consultations/{footprint.proposal.slug}/sections/{footprint.section.pk}/"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "My own words on the limit." in html
    assert "deleted participant" in html
    assert "Ada Lovelace" not in html
    assert "Grace Hopper" in html  # the reply to it, by someone else

    # The person they replied to sees who told them, as the public does.
    inbox = signed_in(other).get("/notifications/").content.decode()
    assert "deleted participant replied to your comment" in inbox
    assert "Ada Lovelace" not in inbox

    # A page that missed the live events is never sent the old name again.
    events = Event.objects.filter(type__startswith="comment.", payload__id=footprint.own_comment.pk)
    assert events.exists()
    for event in events:
        assert "Ada Lovelace" not in str(event.payload)
        assert "deleted participant" in event.payload["html"]["en"]


def test_a_deleted_account_cannot_sign_in_or_reset_its_password_and_the_email_is_free_again(
    make_user, django_capture_on_commit_callbacks
):
    person = make_user(OLD_EMAIL, "Ada Lovelace")
    erasure.account_delete(actor=person, user=person, password=PASSWORD)

    client = Client()
    assert not client.login(email=OLD_EMAIL, password=PASSWORD)
    refused = client.post("/accounts/login/", {"login": OLD_EMAIL, "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": OLD_EMAIL})
    assert not any("/accounts/password/reset/key/" in message.body for message in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        signed_up = client.post(
            "/accounts/signup/",
            {
                "email": OLD_EMAIL,
                "display_name": "Ada again",
                "password1": "a long and unusual passphrase",
                "password2": "a long and unusual passphrase",
            },
        )
    assert signed_up.status_code == 302
    anew = User.objects.get(email=OLD_EMAIL)
    assert anew.pk != person.pk and anew.display_name == "Ada again"


def test_a_wrong_password_changes_nothing(make_user, signed_in):
    person = make_user(OLD_EMAIL, "Ada Lovelace")
    client = signed_in(person)

    response = delete_from_the_page(client, password="not my password")

    assert response.status_code == 400
    assert "That password is not right. Your account has not been deleted." in (
        response.content.decode()
    )
    person.refresh_from_db()
    assert (person.email, person.display_name) == (OLD_EMAIL, "Ada Lovelace")
    assert person.is_active and person.deleted_at is None and person.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=person).exists()
    assert UserSession.objects.filter(user_id=person.pk).exists()
    assert not AuditEntry.objects.filter(action="account.deleted").exists()
    assert client.get("/accounts/privacy/").status_code == 200

    assert delete_from_the_page(client).status_code == 400  # no password at all
    with pytest.raises(ValidationError):
        erasure.account_delete(actor=person, user=person, password="")


def test_guessing_the_password_is_slowed_down(make_user, signed_in):
    person = make_user()
    client = signed_in(person)
    for _ in range(5):
        assert delete_from_the_page(client, password="guess").status_code == 400
    response = delete_from_the_page(client, password=PASSWORD)
    assert response.status_code == 429
    assert "too often" in response.content.decode()
    person.refresh_from_db()
    assert person.deleted_at is None


def test_an_account_without_a_password_signs_in_again_and_confirms_with_its_email_address(
    make_user,
):
    import time

    from allauth.account.internal.flows import login as allauth_login

    person = make_user("sso.person@example.org")
    person.set_unusable_password()
    person.save()
    client = Client()
    client.force_login(person)

    page = client.get("/accounts/privacy/delete/").content.decode()
    assert 'name="confirmation"' in page and 'name="password"' not in page
    assert "sso.person@example.org" in page
    assert "For your safety, sign in again" in page

    # Holding a session is not enough: the sign-in must be recent.
    stale = delete_from_the_page(client, confirmation="sso.person@example.org")
    assert stale.status_code == 400
    assert "sign in again with the service you use to sign in" in stale.content.decode()
    person.refresh_from_db()
    assert person.deleted_at is None

    def signed_in_ago(seconds: float) -> None:
        session = client.session
        session[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(person.pk)
        session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "socialaccount", "at": time.time() - seconds, "provider": "government"}
        ]
        session.save()

    signed_in_ago(11 * 60)
    assert delete_from_the_page(client, confirmation="sso.person@example.org").status_code == 400
    signed_in_ago(60)
    assert "For your safety" not in client.get("/accounts/privacy/delete/").content.decode()
    wrong = delete_from_the_page(client, confirmation="DELETE")
    assert wrong.status_code == 400
    assert "Type the email address of your account exactly as shown" in wrong.content.decode()
    person.refresh_from_db()
    assert person.deleted_at is None

    done = delete_from_the_page(client, confirmation="  SSO.Person@example.org ")
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.deleted_at is not None


def test_a_staff_admin_account_is_not_deleted(make_user, signed_in):
    admin = make_user(is_staff=True)
    client = signed_in(admin)
    assert "cannot be deleted" in client.get("/accounts/privacy/delete/").content.decode()

    response = delete_from_the_page(client, password=PASSWORD)

    assert response.status_code == 400
    assert "A staff admin account cannot be deleted" in response.content.decode()
    admin.refresh_from_db()
    assert admin.deleted_at is None and admin.is_active


def test_only_the_person_or_a_staff_admin_may_delete_an_account(make_user):
    person, stranger = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        erasure.account_delete(actor=stranger, user=person, password=PASSWORD)
    person.refresh_from_db()
    assert person.deleted_at is None

    # An admin acting on a person's written request needs no password of theirs.
    admin = make_user(is_staff=True)
    erasure.account_delete(actor=admin, user=person)
    person.refresh_from_db()
    assert person.deleted_at is not None
    assert AuditEntry.objects.get(action="account.deleted").actor_id == admin.pk

    with pytest.raises(ValidationError) as again:
        erasure.account_delete(actor=admin, user=person)
    assert again.value.messages == [str(erasure.ALREADY_DELETED)]


def test_other_apps_erase_what_they_hold_in_the_same_transaction(make_user):
    seen = []

    def erase(sender, user, **kwargs):
        # Called while the account is still as it was, so each app finds what is its own.
        seen.append((user.pk, user.email))

    account_erasing.connect(erase, dispatch_uid="test-erase")
    try:
        person = make_user(OLD_EMAIL)
        erasure.account_delete(actor=person, user=person, password=PASSWORD)
    finally:
        account_erasing.disconnect(dispatch_uid="test-erase")
    assert seen == [(person.pk, OLD_EMAIL)]


def test_a_failing_receiver_leaves_the_account_as_it_was(make_user):
    def broken(sender, user, **kwargs):
        raise RuntimeError("the identity store is down")

    account_erasing.connect(broken, dispatch_uid="test-broken")
    person = make_user(OLD_EMAIL, "Ada Lovelace")
    try:
        with pytest.raises(RuntimeError):
            erasure.account_delete(actor=person, user=person, password=PASSWORD)
    finally:
        account_erasing.disconnect(dispatch_uid="test-broken")
    person.refresh_from_db()
    assert (person.email, person.display_name, person.deleted_at) == (
        OLD_EMAIL,
        "Ada Lovelace",
        None,
    )
    assert EmailAddress.objects.filter(user=person).exists()


def test_the_confirmation_page_is_shown_only_after_a_deletion(client):
    response = client.get("/accounts/privacy/deleted/")
    assert response.status_code == 302 and response["Location"] == "/privacy/"


def test_the_delete_page_needs_a_signed_in_person(client):
    response = client.post("/accounts/privacy/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_stances_on_open_residents_only_consultations_go_with_the_account(footprint):
    """Deleting releases the identity; verified anew, the person must not count twice."""
    from proposals.models import Proposal

    person, other, proposal = footprint.person, footprint.other, footprint.proposal
    Proposal.objects.filter(pk=proposal.pk).update(requires_verification=True)
    erasure.account_delete(actor=None, user=person)
    assert not ProposalStance.objects.filter(user=person).exists()
    assert not SectionStance.objects.filter(user=person).exists()
    assert ProposalStance.objects.filter(user=other, proposal=proposal).exists()


def test_free_text_to_moderators_and_token_names_are_blanked(footprint):
    person = footprint.person
    erasure.account_delete(actor=None, user=person)
    report = Report.objects.get(reporter=person)
    assert report.note == "" and report.reason == "spam"
    token = AccessToken.objects.get(pk=footprint.token.pk)
    assert token.name == "" and token.revoked_at is not None
