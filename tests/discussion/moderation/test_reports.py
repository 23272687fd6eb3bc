"""Readers report comments, once each; enough distinct reports hide a comment
pending review, and its author is told why."""

import threading

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection

from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from discussion.live import events
from discussion.models import Comment, Event, Report
from discussion.moderation import services as moderation

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_reports_once_and_never_their_own(comment, people, make_user):
    reader = make_user()
    moderation.comment_report(actor=reader, comment=comment, reason="spam", note="  ads  ")
    assert Report.objects.get().note == "ads"
    with pytest.raises(ValidationError, match="already reported"):
        moderation.comment_report(actor=reader, comment=comment, reason="abuse")
    with pytest.raises(ValidationError, match="your own comment"):
        moderation.comment_report(actor=people.citizen, comment=comment, reason="spam")
    with pytest.raises(ValidationError, match="Choose why"):
        moderation.comment_report(actor=make_user(), comment=comment, reason="boring")
    assert Report.objects.count() == 1
    assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_three_readers_hide_it_pending_review_and_the_author_is_told(
    client, comment, open_proposal, section, people, make_user
):
    before = events.last_seq(open_proposal.pk)
    for reason in ("spam", "spam"):
        moderation.comment_report(actor=make_user(), comment=comment, reason=reason)
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    moderation.comment_report(actor=make_user(), comment=comment, reason="other")
    hidden = Comment.objects.get(pk=comment.pk)
    assert hidden.is_hidden and hidden.hidden_pending_review and hidden.hidden_by is None
    page = client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/")
    text = BeautifulSoup(page.content, "html.parser").get_text()
    assert "Hidden pending review after reports from readers." in text
    assert "Buy pills here" not in text
    note = Notification.objects.get(recipient=people.citizen)
    assert note.kind == "moderation" and note.excerpt.startswith("Hidden pending review")
    assert AuditEntry.objects.get(action="comment.hide_pending_review").actor is None
    new = events.events_since(proposal_id=open_proposal.pk, seq=before)
    assert [event["type"] for event in new] == ["comment.hidden"]

    # A moderator's decision settles the reports: hide for good, with a reason.
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Advertising")
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    decided = Comment.objects.get(pk=comment.pk)
    assert not decided.hidden_pending_review and decided.hidden_reason == "Advertising"


def test_restoring_settles_the_reports_so_old_ones_do_not_hide_it_again(comment, people, make_user):
    for _ in range(3):
        moderation.comment_report(actor=make_user(), comment=comment, reason="abuse")
    moderation.comment_restore(actor=people.moderator, comment=comment)
    moderation.comment_report(actor=make_user(), comment=comment, reason="abuse")
    assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_twenty_reports_arriving_at_once_hide_it_exactly_once(comment, open_proposal, make_user):
    readers = [make_user() for _ in range(20)]
    barrier = threading.Barrier(len(readers))
    errors: list[BaseException] = []

    def report(user):
        try:
            barrier.wait()
            moderation.comment_report(actor=user, comment=comment, reason="spam")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Report.objects.filter(comment=comment).count() == 20
    assert Event.objects.filter(proposal=open_proposal, type="comment.hidden").count() == 1
    assert Notification.objects.filter(kind="moderation").count() == 1


def test_reporting_through_the_form(client, comment, make_user):
    client.force_login(make_user())
    response = client.post(
        f"/discussion/comments/{comment.pk}/report/", {"reason": "spam"}, follow=True
    )
    assert "Moderators will look at your report" in response.content.decode()
    response = client.post(
        f"/discussion/comments/{comment.pk}/report/", {"reason": "spam"}, follow=True
    )
    assert "already reported" in response.content.decode()
    assert Report.objects.count() == 1
