"""draft -> scheduled -> open -> closed (-> report published), and withdrawn."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consult.accounts.models import AuditEntry
from proposals.models import Proposal, ProposalVersion, SectionVersion, Status
from proposals.services import drafts, lifecycle, versions

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


def test_scheduling_needs_a_published_version(draft, people):
    with pytest.raises(ValidationError, match="Publish a first version"):
        lifecycle.proposal_schedule(
            actor=people.official,
            proposal=draft,
            opens_at=now(),
            closes_at=now() + timedelta(days=1),
        )


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (10, 5, "must close after it opens"),
        (10, 10, "must close after it opens"),
        (-10, -5, "must be in the future"),
    ],
)
def test_window_must_be_in_order_and_ahead(published, people, opens, closes, message):
    base = now()
    with pytest.raises(ValidationError, match=message):
        lifecycle.proposal_schedule(
            actor=people.official,
            proposal=published,
            opens_at=base + timedelta(days=opens),
            closes_at=base + timedelta(days=closes),
        )
    assert Proposal.objects.get(pk=published.pk).status == Status.DRAFT


def test_boundaries_apply_the_moment_they_pass_without_anyone_pressing_a_button(published, people):
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=now() + timedelta(days=1),
        closes_at=now() + timedelta(days=2),
    )
    proposal = Proposal.objects.get(pk=published.pk)
    assert proposal.effective_status() == Status.SCHEDULED
    assert proposal.effective_status(now() + timedelta(days=1, minutes=1)) == Status.OPEN
    assert proposal.effective_status(now() + timedelta(days=2, minutes=1)) == Status.CLOSED

    # The clock moves on: what every reader sees changes at once, in Python and in SQL.
    Proposal.objects.filter(pk=proposal.pk).update(
        opens_at=now() - timedelta(hours=2), closes_at=now() - timedelta(hours=1)
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.SCHEDULED
    assert proposal.effective_status() == Status.CLOSED
    assert Proposal.objects.with_effective_status().get(pk=proposal.pk).live_status == Status.CLOSED


def test_the_periodic_task_stores_what_the_clock_decided_and_logs_it(published, people):
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=published,
        opens_at=now() + timedelta(minutes=1),
        closes_at=now() + timedelta(days=2),
    )
    assert lifecycle.lifecycle_advance(now=now()) == {"opened": 0, "closed": 0}
    assert lifecycle.lifecycle_advance(now=now() + timedelta(minutes=2)) == {
        "opened": 1,
        "closed": 0,
    }
    assert Proposal.objects.get(pk=published.pk).status == Status.OPEN
    assert lifecycle.lifecycle_advance(now=now() + timedelta(days=3)) == {"opened": 0, "closed": 1}
    assert Proposal.objects.get(pk=published.pk).status == Status.CLOSED
    actions = list(AuditEntry.objects.filter(actor=None).values_list("action", flat=True))
    assert sorted(actions) == ["proposal.closed", "proposal.opened"]


def test_the_task_runs_through_the_tasks_api(published, people):
    from proposals.tasks import lifecycle_advance

    Proposal.objects.filter(pk=published.pk).update(
        status=Status.SCHEDULED,
        opens_at=now() - timedelta(minutes=5),
        closes_at=now() + timedelta(days=1),
    )
    result = lifecycle_advance.enqueue()
    assert result.return_value == {"opened": 1, "closed": 0}


@pytest.mark.parametrize("reason", ["", "   "])
def test_closing_early_and_extending_need_a_reason(open_proposal, people, reason):
    with pytest.raises(ValidationError, match="Give a reason"):
        lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason=reason)
    with pytest.raises(ValidationError, match="Give a reason"):
        lifecycle.proposal_extend(
            actor=people.official,
            proposal=open_proposal,
            closes_at=now() + timedelta(days=90),
            reason=reason,
        )
    assert Proposal.objects.get(pk=open_proposal.pk).effective_status() == Status.OPEN


def test_closing_early_is_logged_with_before_and_after(open_proposal, people):
    lifecycle.proposal_close_early(
        actor=people.official, proposal=open_proposal, reason="Enough responses"
    )
    proposal = Proposal.objects.get(pk=open_proposal.pk)
    assert proposal.effective_status() == Status.CLOSED
    assert proposal.status_reason == "Enough responses"
    entry = AuditEntry.objects.get(action="proposal.closed_early")
    assert entry.actor == people.official
    assert entry.reason == "Enough responses"
    assert entry.before["status"] == Status.SCHEDULED  # stored; effectively open
    assert entry.after["status"] == Status.CLOSED


def test_extending_must_move_the_deadline_later(open_proposal, people):
    with pytest.raises(ValidationError, match="later than the current one"):
        lifecycle.proposal_extend(
            actor=people.official,
            proposal=open_proposal,
            closes_at=now() + timedelta(days=1),
            reason="x",
        )
    lifecycle.proposal_extend(
        actor=people.official,
        proposal=open_proposal,
        closes_at=now() + timedelta(days=60),
        reason="Summer",
    )
    assert AuditEntry.objects.get(action="proposal.extended").reason == "Summer"


def test_closed_consultations_cannot_be_closed_or_extended_again(open_proposal, people):
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    with pytest.raises(ValidationError, match="while the consultation is closed"):
        lifecycle.proposal_close_early(
            actor=people.official, proposal=open_proposal, reason="Again"
        )
    with pytest.raises(ValidationError, match="while the consultation is closed"):
        lifecycle.proposal_extend(
            actor=people.official,
            proposal=open_proposal,
            closes_at=now() + timedelta(days=9),
            reason="x",
        )


def test_a_new_version_may_be_published_while_open_and_after_close(open_proposal, people):
    section = open_proposal.sections.first()
    drafts.section_update(
        actor=people.official, section=section, heading="Purpose", body="Calmer, safer streets."
    )
    assert (
        versions.version_publish(
            actor=people.official, proposal=open_proposal, change_note="v2"
        ).number
        == 2
    )
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    drafts.section_update(
        actor=people.official, section=section, heading="Purpose", body="Final text."
    )
    assert (
        versions.version_publish(
            actor=people.official, proposal=open_proposal, change_note="v3"
        ).number
        == 3
    )


def test_publishing_without_changes_says_so(published, people):
    with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
        versions.version_publish(actor=people.official, proposal=published, change_note="Again")


def test_versions_are_immutable(published):
    version = ProposalVersion.objects.get(proposal=published)
    version.change_note = "rewritten history"
    with pytest.raises(TypeError):
        version.save()
    snapshot = SectionVersion.objects.filter(version=version).first()
    snapshot.body = "rewritten"
    with pytest.raises(TypeError):
        snapshot.save()


def test_withdrawn_is_final(open_proposal, people):
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Superseded")
    for act in (
        lambda: drafts.section_add(
            actor=people.official, proposal=open_proposal, heading="H", body="B"
        ),
        lambda: lifecycle.proposal_withdraw(
            actor=people.official, proposal=open_proposal, reason="again"
        ),
    ):
        with pytest.raises(ValidationError, match="withdrawn"):
            act()


def test_the_audit_log_is_append_only(open_proposal, people):
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    entry = AuditEntry.objects.get(action="proposal.closed_early")
    entry.reason = "covered up"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(reason="x")
