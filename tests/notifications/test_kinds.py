"""Each kind of notification reaches the right people, in the inbox and by
email: never the person who acted, never an account that cannot sign in,
and by email only to those who want that kind."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from consult.notifications.models import Notification
from consult.reports.report.drafting import report_draft
from consult.reports.report.publishing import report_publish
from consult.reports.summary.services import summary_start
from discussion.comments import services as discussion_services
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Follow, Proposal
from proposals.services import drafts, lifecycle, stances, versions
from proposals.tasks import closing_soon_notify
from tests.notifications.conftest import sent_to

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Safer streets near schools"


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_reply_is_emailed_to_the_parent_author_and_never_to_the_replier(
    open_proposal, people, make_user
):
    parent = discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Mine"
    )
    replier = make_user(display_name="Replier")
    discussion_services.comment_create(
        actor=replier, proposal=open_proposal, body="I disagree, because", parent=parent
    )
    [message] = sent_to(people.citizen)
    assert message.subject == f"Replier replied to your comment on “{TITLE}”"
    assert "I disagree, because" in message.body
    assert sent_to(replier) == []


def test_muting_a_kind_stops_its_email_but_the_inbox_keeps_it(
    open_proposal, people, make_user, prefer
):
    prefer(people.citizen, email={"reply": False})
    parent = discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Mine"
    )
    discussion_services.comment_create(
        actor=make_user(), proposal=open_proposal, body="A reply", parent=parent
    )
    assert kinds_of(people.citizen) == ["reply"]
    assert mail.outbox == []


def test_an_address_no_longer_verified_is_told_in_the_app_only(open_proposal, make_user):
    unverified = make_user()
    parent = discussion_services.comment_create(
        actor=unverified, proposal=open_proposal, body="Mine"
    )
    # Changed to an address nobody has confirmed yet.
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    discussion_services.comment_create(
        actor=make_user(), proposal=open_proposal, body="A reply", parent=parent
    )
    assert kinds_of(unverified) == ["reply"]
    assert mail.outbox == []


def test_an_official_response_to_a_section_reaches_its_commenters_and_stance_takers(
    open_proposal, people, make_user
):
    section = open_proposal.sections.first()
    discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Too slow"
    )
    stance_taker = make_user()
    stances.stance_cast(actor=stance_taker, proposal=open_proposal, section=section, value="oppose")
    bystander = make_user()
    stances.stance_cast(actor=bystander, proposal=open_proposal, value="support")
    mail.outbox.clear()

    responses.response_post_section(
        actor=people.official,
        proposal=open_proposal,
        section=section,
        status="accepted",
        explanation="We lower it near schools.",
    )

    for person in (people.citizen, stance_taker):
        [message] = sent_to(person)
        assert message.subject == f"An official response on “{TITLE}: Purpose”"
        assert "We lower it near schools." in message.body
    assert sent_to(bystander) == [] and sent_to(people.official) == []
    assert kinds_of(people.official) == [] and kinds_of(bystander) == []


def test_a_response_to_a_comment_reaches_its_author(open_proposal, people):
    comment = discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Lower the limit"
    )
    responses.response_post(
        actor=people.official, comment=comment, status="partly", explanation="Near schools."
    )
    [message] = sent_to(people.citizen)
    assert message.subject == f"An official response on “{TITLE}”"


def test_a_moderation_decision_is_emailed_to_the_author_only(open_proposal, people):
    comment = discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Something off topic"
    )
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Off topic")
    [message] = sent_to(people.citizen)
    assert message.subject == f"A moderation decision: {TITLE}"
    assert "Off topic" in message.body
    assert sent_to(people.moderator) == []


def test_a_published_report_is_emailed_to_followers_and_participants(open_proposal, people, follow):
    follower = follow(open_proposal, display_name="Follower")
    discussion_services.comment_create(
        actor=people.citizen, proposal=open_proposal, body="Lower the limit"
    )
    lifecycle.proposal_close_early(
        actor=people.official, proposal=open_proposal, reason="Enough said."
    )
    summary_start(actor=people.official, proposal=open_proposal)
    report = report_draft(actor=people.official, proposal=open_proposal)
    mail.outbox.clear()

    report_publish(actor=people.official, report=report)

    for person in (follower, people.citizen):
        [message] = sent_to(person)
        assert message.subject == f"The response report of “{TITLE}” is published"
    assert sent_to(people.official) == []


def test_followers_are_told_once_when_a_scheduled_consultation_opens(
    published, people, follow, make_user
):
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=30),
    )
    follower = follow(published)
    gone = follow(published, is_active=False)
    Follow.objects.create(proposal=published, user=people.official)
    assert mail.outbox == []

    assert lifecycle.lifecycle_advance(now=now + timedelta(hours=2))["opened"] == 1
    lifecycle.lifecycle_advance(now=now + timedelta(hours=3))

    [message] = sent_to(follower)
    assert message.subject == f"“{TITLE}” is open: have your say"
    assert "A 20 km/h limit near schools." in message.body
    # Nobody acted: the clock opened it, so the official who follows is told too.
    assert len(sent_to(people.official)) == 1
    assert kinds_of(gone) == [] and sent_to(gone) == []
    assert Notification.objects.filter(key=f"opened:{published.pk}").count() == 2


def test_scheduling_an_opening_already_past_tells_followers_at_once_and_only_once(
    published, people, follow
):
    now = timezone.now()
    schedule = lifecycle.proposal_schedule
    schedule(
        actor=people.official,
        proposal=published,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    follower = follow(published)
    Follow.objects.create(proposal=published, user=people.official)
    schedule(
        actor=people.official,
        proposal=published,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=30),
    )
    assert len(sent_to(follower)) == 1
    # The official who opened it is not told of their own doing.
    assert sent_to(people.official) == []

    lifecycle.lifecycle_advance(now=now + timedelta(minutes=1))
    assert Proposal.objects.get(pk=published.pk).status == "open"
    assert len(sent_to(follower)) == 1


def test_a_new_version_is_told_to_followers_only_when_the_consultation_is_public(
    draft, people, follow
):
    Follow.objects.create(proposal=draft, user=people.parent_official)
    versions.version_publish(actor=people.official, proposal=draft, change_note="First.")
    assert Notification.objects.count() == 0

    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=draft,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=30),
    )
    follower = follow(draft)
    Follow.objects.create(proposal=draft, user=people.official)
    mail.outbox.clear()
    section = draft.sections.first()
    drafts.section_update(
        actor=people.official, section=section, heading=section.heading, body="Slower still."
    )
    version = versions.version_publish(
        actor=people.official, proposal=draft, change_note="A lower limit."
    )

    for person in (follower, people.parent_official):
        [message] = sent_to(person)
        assert message.subject == f"A new version of “{TITLE}”"
        assert "A lower limit." in message.body
    assert sent_to(people.official) == []
    assert Notification.objects.filter(key=f"version:{version.pk}").count() == 2


def test_closing_soon_tells_followers_once_per_deadline(
    open_proposal, people, follow, make_proposal
):
    now = timezone.now()
    Proposal.objects.filter(pk=open_proposal.pk).update(closes_at=now + timedelta(days=2))
    follower = follow(open_proposal)
    later = make_proposal(title="Later", opens_at=now, closes_at=now + timedelta(days=5))
    later_follower = follow(later)
    closed = make_proposal(title="Closed", status="closed", closes_at=now - timedelta(hours=1))
    closed_follower = follow(closed)

    assert closing_soon_notify.call() == 1
    assert closing_soon_notify.call() == 0
    [message] = sent_to(follower)
    assert message.subject == f"“{TITLE}” closes within three days"
    assert sent_to(later_follower) == [] and sent_to(closed_follower) == []

    # Extended to another day: the new deadline is worth telling again.
    open_proposal.refresh_from_db()
    lifecycle.proposal_extend(
        actor=people.official,
        proposal=open_proposal,
        closes_at=now + timedelta(days=3),
        reason="More time for schools.",
    )
    assert closing_soon_notify.call() == 1
    assert len(sent_to(follower)) == 2
    assert kinds_of(follower) == ["closing", "closing"]
