"""A consultation's window and state: scheduling, closing early, extending,
withdrawing, the report's publication, and the clock's own changes.

`draft -> scheduled -> open -> closed -> report published`, and `withdrawn`
from any state the public has seen before the report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.notifications.models import Kind as NotificationKind
from proposals.models import Proposal, Status
from proposals.services import common, followers

NO_VERSION = _("Publish a first version before scheduling the consultation.")
DATES_REQUIRED = _("Give both the opening and the closing time.")
DATES_OUT_OF_ORDER = _("The consultation must close after it opens.")
CLOSES_IN_PAST = _("The closing time must be in the future.")
NEW_DEADLINE_NOT_LATER = _("The new deadline must be later than the current one.")
REASON_REQUIRED = _("Give a reason; it is shown to the public.")


def _window(proposal: Proposal) -> dict:
    return {
        "status": proposal.status,
        "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
        "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED)})
    return reason[:2000]


@transaction.atomic
def proposal_schedule(
    *, actor: User, proposal: Proposal, opens_at: datetime | None, closes_at: datetime | None
) -> Proposal:
    """Set the consultation window. If it has already begun, the consultation is open at once."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, Status.DRAFT, Status.SCHEDULED)
    if proposal.current_version_id is None:
        raise ValidationError(NO_VERSION)
    if opens_at is None or closes_at is None:
        raise ValidationError(DATES_REQUIRED)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": ValidationError(DATES_OUT_OF_ORDER)})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": ValidationError(CLOSES_IN_PAST)})
    before = _window(proposal)
    fields = ["opens_at", "closes_at", "status", "updated_at"]
    if proposal.status == Status.DRAFT:
        # Going public: the plain slug, if no public consultation has it.
        proposal.slug = common.unique_slug(proposal.title)
        fields.append("slug")
    proposal.opens_at, proposal.closes_at, proposal.status = opens_at, closes_at, Status.SCHEDULED
    common.save_with_unique_slug(proposal, update_fields=fields)
    common.state_event(proposal)
    common.audit(actor, "proposal.scheduled", proposal, before=before, after=_window(proposal))
    if opens_at <= timezone.now():
        # Open at once (see Proposal.effective_status); lifecycle_advance's
        # own telling later finds everyone told under the same key.
        followers.followers_notify_on_commit(
            proposal=proposal,
            kind=NotificationKind.OPENED,
            key=f"opened:{proposal.pk}",
            actor=actor,
            excerpt=proposal.summary,
        )
    return proposal


@transaction.atomic
def proposal_close_early(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, Status.OPEN)
    reason = _reason(reason)
    before = _window(proposal)
    proposal.status, proposal.closes_at, proposal.status_reason = (
        Status.CLOSED,
        timezone.now(),
        reason,
    )
    if proposal.opens_at and proposal.opens_at >= proposal.closes_at:
        proposal.opens_at = proposal.closes_at - timedelta(seconds=1)
    proposal.save(update_fields=["status", "closes_at", "opens_at", "status_reason", "updated_at"])
    common.state_event(proposal)
    common.audit(
        actor,
        "proposal.closed_early",
        proposal,
        before=before,
        after=_window(proposal),
        reason=reason,
    )
    return proposal


@transaction.atomic
def proposal_extend(
    *, actor: User, proposal: Proposal, closes_at: datetime | None, reason: str
) -> Proposal:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, Status.SCHEDULED, Status.OPEN)
    reason = _reason(reason)
    if closes_at is None:
        raise ValidationError({"closes_at": ValidationError(DATES_REQUIRED)})
    if proposal.closes_at and closes_at <= proposal.closes_at:
        raise ValidationError({"closes_at": ValidationError(NEW_DEADLINE_NOT_LATER)})
    before = _window(proposal)
    proposal.closes_at, proposal.status_reason = closes_at, reason
    proposal.save(update_fields=["closes_at", "status_reason", "updated_at"])
    common.state_event(proposal)
    common.audit(
        actor, "proposal.extended", proposal, before=before, after=_window(proposal), reason=reason
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """Withdraw a consultation the public has seen. A draft was never public:
    withdrawing it would publish it, so it is refused."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    reason = _reason(reason)
    before = _window(proposal)
    proposal.status, proposal.status_reason = Status.WITHDRAWN, reason
    proposal.save(update_fields=["status", "status_reason", "updated_at"])
    common.state_event(proposal)
    common.audit(
        actor, "proposal.withdrawn", proposal, before=before, after=_window(proposal), reason=reason
    )
    return proposal


@transaction.atomic
def proposal_report_published(*, actor: User, proposal: Proposal) -> Proposal:
    """The last step of a consultation, taken by the report's publication
    (consult.reports.report.publishing.report_publish), which has checked the report."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, Status.CLOSED)
    before = _window(proposal)
    proposal.status = Status.REPORT_PUBLISHED
    proposal.save(update_fields=["status", "updated_at"])
    common.state_event(proposal)
    common.audit(
        actor, "proposal.report_published", proposal, before=before, after=_window(proposal)
    )
    return proposal


def lifecycle_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Catch stored statuses up with the clock; readers never wait for this."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = list(
            Proposal.objects.select_for_update()
            .filter(status__in=[Status.SCHEDULED, Status.OPEN], closes_at__lte=now)
            .select_related("department")
        )
        for proposal in closed:
            proposal.status = Status.CLOSED
            proposal.save(update_fields=["status", "updated_at"])
            common.state_event(proposal)
            audit_record(
                actor=None,
                action="proposal.closed",
                target=proposal,
                department=proposal.department,
            )
        opened = list(
            Proposal.objects.select_for_update()
            .filter(status=Status.SCHEDULED, opens_at__lte=now)
            .select_related("department")
        )
        for proposal in opened:
            proposal.status = Status.OPEN
            proposal.save(update_fields=["status", "updated_at"])
            common.state_event(proposal)
            audit_record(
                actor=None,
                action="proposal.opened",
                target=proposal,
                department=proposal.department,
            )
            followers.followers_notify_on_commit(
                proposal=proposal,
                kind=NotificationKind.OPENED,
                key=f"opened:{proposal.pk}",
                excerpt=proposal.summary,
            )
    return {"opened": len(opened), "closed": len(closed)}
