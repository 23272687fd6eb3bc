"""Participation counted as it happens: the people who took part and the
comments readers see, kept by the services, equal to a recount from the rows."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet

from consult.accounts.models import Role
from consult.privacy.services.erasure import account_delete
from consult.testing.data import bulk_comments, open_consultation
from discussion.comments import services as comments
from discussion.models import Comment, ModerationPolicy
from discussion.moderation import services as moderation
from discussion.submissions import services as submissions
from discussion.submissions.models import Publication
from proposals.models import Participant, Proposal
from proposals.services import participation, stances

pytestmark = pytest.mark.django_db

NAMED = submissions.Respondent(kind="individual", publication=Publication.NAMED)
LETTER = submissions.Entry(
    channel="post", received_on=datetime.date(2026, 12, 1), respondent_name="A. Writer"
)


def counts(proposal: Proposal) -> tuple[int, int]:
    proposal.refresh_from_db()
    return proposal.participant_count, proposal.comment_count


def recounted(proposal: Proposal) -> tuple[int, int]:
    participation.counters_recount([proposal.pk])
    return counts(proposal)


def answers(proposal: Proposal) -> dict:
    """A complete answer to every question of `every_kind_of_question`."""
    q = {question.prompt: question for question in proposal.form_questions.all()}

    def key(prompt: str, label: str) -> str:
        return {text: value for value, text in q[prompt].choices}[label]

    travel, rank = "How do you travel near schools?", "Rank these measures."
    return {
        q["Do you agree with the proposed 20 km/h limit?"].pk: key(
            "Do you agree with the proposed 20 km/h limit?", "Yes"
        ),
        q[travel].pk: [key(travel, "On foot")],
        q["Streets near schools are safe today."].pk: "agree",
        q[rank].pk: [key(rank, "Crossings"), key(rank, "Speed limit"), key(rank, "Cameras")],
        q["How many children in your household walk to school?"].pk: "1",
    }


@pytest.fixture
def staff(tree, make_user, grant):
    official = grant(make_user(display_name="Official"), tree.city_office, Role.OFFICIAL)
    moderator = grant(make_user(display_name="Moderator"), tree.city_office, Role.MODERATOR)
    clerk = grant(make_user(display_name="Clerk"), tree.city_office, Role.CLERK)
    return official, moderator, clerk


@pytest.fixture
def consultation(staff, tree) -> Proposal:
    return open_consultation(
        official=staff[0],
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Safer streets near schools",
        form=True,
    )


def test_the_kept_counts_equal_a_recount_after_a_mixed_sequence(
    consultation, staff, make_user, settings
):
    """Stances, votes, comments published, held, approved, rejected, hidden,
    restored and deleted, responses online and by post, a withdrawn stance and
    a deleted account: the counts kept as it happened are the recount's."""
    _official, moderator, clerk = staff
    ann, bo, cy, di, ed, fay = (
        make_user(display_name=n) for n in ["Ann", "Bo", "Cy", "Di", "Ed", "Fay"]
    )
    section = consultation.sections.first()
    stances.stance_cast(actor=ann, proposal=consultation, value="support")
    stances.stance_cast(actor=ann, proposal=consultation, section=section, value="oppose")
    stances.stance_cast(actor=bo, proposal=consultation, value="oppose")
    stances.stance_withdraw(actor=bo, proposal=consultation)  # Bo still took part
    first = comments.comment_create(actor=cy, proposal=consultation, body="Slower is safer.")
    reply = comments.comment_create(actor=ann, proposal=consultation, body="Yes.", parent=first)
    comments.comment_vote(actor=di, comment=first, value="agree")
    comments.comment_vote(actor=di, comment=first, value="pass")  # a change, not a new person
    comments.comment_vote_withdraw(actor=di, comment=first)
    assert counts(consultation) == (4, 2)
    # Held for review: neither a comment nor a person until approved.
    ModerationPolicy.objects.create(proposal=consultation, min_account_age_days=3)
    held = comments.comment_create(actor=make_user(), proposal=consultation, body="New here.")
    rejected = comments.comment_create(actor=make_user(), proposal=consultation, body="Spam.")
    assert held.is_held and counts(consultation) == (4, 2)
    moderation.comment_approve(actor=moderator, comment=held)
    moderation.comment_hide(actor=moderator, comment=rejected, reason="Advertising.")
    assert counts(consultation) == (5, 3)
    ModerationPolicy.objects.filter(proposal=consultation).delete()
    # Hidden and restored, hidden again; a deletion; a deletion of a hidden one.
    moderation.comment_hide(actor=moderator, comment=reply, reason="Off topic.")
    moderation.comment_restore(actor=moderator, comment=reply)
    moderation.comment_hide(actor=moderator, comment=reply, reason="Off topic after all.")
    gone = comments.comment_create(actor=ed, proposal=consultation, body="Changed my mind.")
    comments.comment_delete(actor=ed, comment=gone)
    comments.comment_delete(actor=ann, comment=Comment.objects.get(pk=reply.pk))
    assert counts(consultation) == (6, 2)
    # The form, online (twice: one person) and by post (one more person).
    for _ in range(2):
        submissions.response_save(
            actor=fay,
            proposal=consultation,
            respondent=NAMED,
            answers=answers(consultation),
            submit=True,
        )
    submissions.response_enter(
        actor=clerk,
        proposal=consultation,
        entry=LETTER,
        respondent=NAMED,
        answers=answers(consultation),
    )
    account_delete(actor=None, user=cy)  # Cy took part; their comment stays
    kept = counts(consultation)
    assert kept == (8, 2)
    assert kept[1] == Comment.objects.public().filter(proposal=consultation).count()
    Proposal.objects.filter(pk=consultation.pk).update(participant_count=0, comment_count=99)
    assert recounted(consultation) == kept


def test_a_person_is_counted_once_even_when_two_requests_meet(consultation, make_user, monkeypatch):
    """The second of two requests at once does not see the first's row, and
    meets it at the unique constraint: the person is still counted once."""
    person = make_user()
    assert participation.participant_add(proposal_id=consultation.pk, user_id=person.pk)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    assert not participation.participant_add(proposal_id=consultation.pk, user_id=person.pk)
    monkeypatch.undo()
    assert Participant.objects.filter(proposal=consultation).count() == 1
    assert counts(consultation) == (1, 0)


def test_the_comment_count_never_goes_below_zero(consultation):
    participation.comment_visibility_changed(
        proposal_id=consultation.pk, was_public=True, is_public=False
    )
    assert counts(consultation) == (0, 0)


def test_rows_written_in_bulk_are_counted_by_the_recount(consultation, make_user):
    """The builders that write comments past the services recount after."""
    author = make_user()
    bulk_comments(
        proposal=consultation, section=consultation.sections.first(), author=author, count=10
    )
    assert counts(consultation) == (1, 10)
    assert Participant.objects.get(proposal=consultation).user == author


def test_the_command_repairs_the_counts_and_refuses_an_unknown_number(consultation, make_user):
    stances.stance_cast(actor=make_user(), proposal=consultation, value="support")
    Participant.objects.all().delete()
    Proposal.objects.filter(pk=consultation.pk).update(participant_count=7, comment_count=7)
    call_command("participation_recount", str(consultation.pk))
    assert counts(consultation) == (1, 0)
    with pytest.raises(CommandError, match="No consultation numbered 999999"):
        call_command("participation_recount", "999999")


def test_the_migration_counts_existing_consultations_with_its_own_models(consultation, make_user):
    """The data migration calls the recount with the historical models."""
    comments.comment_create(actor=make_user(), proposal=consultation, body="Before the counters.")
    Proposal.objects.filter(pk=consultation.pk).update(participant_count=0, comment_count=0)
    Participant.objects.all().delete()
    state = MigrationExecutor(connection).loader.project_state(
        ("proposals", "0010_participation_recount")
    )
    participation.counters_recount(apps=state.apps)
    assert counts(consultation) == (1, 1)


def test_the_window_counts_days_as_the_reader_lives_them(consultation, settings):
    """A consultation closing at midnight closes at the end of the day before."""
    from django.utils import timezone

    from proposals.templatetags.participation import time_left

    settings.TIME_ZONE = "UTC"
    now = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
    midnight = datetime.datetime(2026, 12, 8, 0, 0, tzinfo=datetime.UTC)
    with timezone.override("UTC"):
        consultation.status, consultation.opens_at = "open", now - timedelta(days=1)
        consultation.closes_at = midnight
        assert time_left(consultation, now) == "Closes today"
        consultation.closes_at = midnight + timedelta(hours=17)
        assert time_left(consultation, now) == "1 day left"
        consultation.closes_at = midnight + timedelta(days=2, hours=17)
        assert time_left(consultation, now) == "3 days left"
        consultation.status, consultation.opens_at = "scheduled", now + timedelta(hours=3)
        assert time_left(consultation, now) == "Opens today"
        consultation.opens_at = now + timedelta(days=2)
        assert time_left(consultation, now) == "Opens in 2 days"
        consultation.status = "closed"
        assert time_left(consultation, now) == ""
