"""The archive a Polis import makes: read-only, its placeholder participants
unable to sign in, its summary computed here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consult.accounts.models import User
from discussion.comments import services as discussion_services
from discussion.models import Comment
from proposals.models import Status
from proposals.services import drafts as proposal_drafts
from proposals.services import lifecycle as proposal_lifecycle
from proposals.services import stances as proposal_stances
from proposals.services import versions as proposal_versions
from tests.conftest import PASSWORD
from tests.opendata.polis.conftest import run_summary

pytestmark = pytest.mark.django_db


def test_placeholder_participants_can_never_sign_in(archive, client):
    users = User.objects.filter(comments__proposal=archive).distinct()
    assert users.exists()
    for user in User.objects.filter(email__endswith="@imported.invalid"):
        assert not user.is_active
        assert not user.has_usable_password()
        assert user.email.startswith("polis-")
        assert authenticate(username=user.email, password="") is None
        assert not client.login(email=user.email, password=PASSWORD)
        assert not user.emailaddress_set.exists()
    assert User.objects.filter(email__endswith="@imported.invalid").count() == 7


def test_an_archive_takes_no_comments_votes_or_stances(archive, people):
    comment = Comment.objects.filter(proposal=archive).first()
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_create(actor=people.citizen, proposal=archive, body="Hello")
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_create(
            actor=people.citizen, proposal=archive, body="Hello", parent=comment
        )
    with pytest.raises(ValidationError, match="archive imported from another platform"):
        discussion_services.comment_vote(actor=people.citizen, comment=comment, value="agree")
    with pytest.raises(ValidationError, match="takes no stances"):
        proposal_stances.stance_cast(actor=people.citizen, proposal=archive, value="support")


def test_an_archive_is_never_reopened_extended_or_changed(archive, people):
    official = people.official
    later = timezone.now() + timedelta(days=30)
    attempts = {
        "extend": lambda: proposal_lifecycle.proposal_extend(
            actor=official, proposal=archive, closes_at=later, reason="More time."
        ),
        "close": lambda: proposal_lifecycle.proposal_close_early(
            actor=official, proposal=archive, reason="Done."
        ),
        "schedule": lambda: proposal_lifecycle.proposal_schedule(
            actor=official, proposal=archive, opens_at=timezone.now(), closes_at=later
        ),
        "withdraw": lambda: proposal_lifecycle.proposal_withdraw(
            actor=official, proposal=archive, reason="Gone."
        ),
        "section": lambda: proposal_drafts.section_add(
            actor=official, proposal=archive, heading="New", body="Text"
        ),
        "version": lambda: proposal_versions.version_publish(
            actor=official, proposal=archive, change_note="Second."
        ),
        "report": lambda: proposal_lifecycle.proposal_report_published(
            actor=official, proposal=archive
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError, match="cannot be changed") as caught:
            attempt()
        assert caught.value.messages, name
    archive.refresh_from_db()
    assert archive.status == Status.CLOSED
    assert archive.current_version.number == 1


def test_an_archive_still_refuses_strangers_first(archive, people):
    with pytest.raises(PermissionDenied):
        proposal_lifecycle.proposal_extend(
            actor=people.other_official,
            proposal=archive,
            closes_at=timezone.now() + timedelta(days=1),
            reason="x",
        )


def test_an_archive_is_not_answered_here(archive, people):
    from discussion import rules

    assert not rules.can_respond(people.official, archive)
    assert not rules.can_comment(people.citizen, archive)


def test_the_page_says_it_is_an_archive(archive, client, people):
    client.force_login(people.citizen)
    page = client.get(archive.get_absolute_url())
    assert page.status_code == 200
    assert "Archived: imported from a Polis export" in page.content.decode()
    assert 'name="value" value="support"' not in page.content.decode()


def test_the_summary_is_computed_on_an_archive(archive, people, django_capture_on_commit_callbacks):
    result = run_summary(archive, people.official, django_capture_on_commit_callbacks)
    assert result["inputs"]["comments"] == 4
    assert result["inputs"]["comment_votes"] == 5


def test_a_comment_removed_in_polis_is_on_no_public_page_or_api_list(archive, client):
    """Its words on neither the archive's discussion page nor the API's list
    of its comments; its own page and the public moderation log show it as a
    comment a moderator hid, with the reason."""
    removed = Comment.objects.get(proposal=archive, body="Rejected by a moderator.")
    page = client.get(reverse("general-discussion", args=[archive.slug])).content.decode()
    assert "Telecommuting will stay." in page
    assert "Rejected by a moderator." not in page
    listed = client.get(
        f"/api/v1/consultations/{archive.slug}/comments/", HTTP_ACCEPT="application/json"
    )
    assert listed.status_code == 200
    ids = [row["id"] for row in listed.json()["results"]]
    assert sorted(ids) == sorted(
        Comment.objects.public().filter(proposal=archive).values_list("pk", flat=True)
    )
    assert len(ids) == 4 and removed.pk not in ids
    assert b"Rejected by a moderator." not in listed.content
    assert client.get(f"/api/v1/comments/{removed.pk}/").status_code == 404
    own = client.get(removed.get_absolute_url()).content.decode()
    assert "Rejected by a moderator." not in own
    assert "Removed by a moderator: Removed in Polis by the conversation" in own
    log = client.get(reverse("moderation-log", args=[archive.slug])).content.decode()
    assert "Removed in Polis by the conversation" in log
    assert "Rejected by a moderator." not in log
