"""Publishing the report once, after the consultation closed, from the latest
summary; everyone who took part or follows is told."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.notifications.models import Kind as NotificationKind
from consult.reports import rules
from consult.reports.models import ReportState, ResponseReport
from consult.reports.report.drafting import ALREADY_PUBLISHED
from consult.reports.report.snapshots import canonical, snapshot_build, unpublic_comments, withhold
from consult.reports.summary.selectors import latest_run
from consult.reports.summary.services import lock_proposal
from proposals.models import Participant, Proposal, Status
from proposals.services import followers
from proposals.services import lifecycle as proposal_lifecycle

STILL_OPEN = _(
    "The consultation is still open until %(closes)s. Publish the report after it closes."
)
NOT_CLOSED = _("Only the report of a closed consultation can be published (it is %(status)s).")
SUMMARY_BEFORE_CLOSE = _(
    "The draft's summary was computed before the consultation closed. Compute the summary "
    "again and update the draft with it, so that the report counts everything."
)
PUBLISHED = _("The official response report has been published.")
SUMMARY_NEWER = _(
    "A newer summary has been computed since this draft was made. Update the draft with it "
    "first, then publish."
)


def report_publish(*, actor: User, report: ResponseReport) -> ResponseReport:
    with transaction.atomic():
        # The proposal first, then the report: the order report_draft locks them in.
        proposal = lock_proposal(report.proposal)
        report = (
            ResponseReport.objects.select_for_update()
            .select_related("summary_run")
            .get(pk=report.pk)
        )
        report.proposal = proposal
        if not rules.can_run_summary(actor, proposal):
            raise PermissionDenied(rules.NOT_ALLOWED)
        if report.is_published:
            raise ValidationError(ALREADY_PUBLISHED)
        status = proposal.effective_status()
        if status == Status.OPEN:
            raise ValidationError(
                STILL_OPEN,
                params={"closes": formats.date_format(proposal.closes_at, "DATETIME_FORMAT")},
            )
        if status != Status.CLOSED:
            raise ValidationError(NOT_CLOSED, params={"status": Status(status).label.lower()})
        run = report.summary_run
        if proposal.closes_at and run.finished_at and run.finished_at < proposal.closes_at:
            raise ValidationError(SUMMARY_BEFORE_CLOSE)
        newest = latest_run(proposal)
        if newest is not None and newest.pk != run.pk:
            raise ValidationError(SUMMARY_NEWER)
        now = timezone.now()
        snapshot = json.loads(canonical(snapshot_build(report, published_at=now)))
        withhold(snapshot, unpublic_comments(snapshot, proposal=proposal))
        report.snapshot = snapshot
        report.snapshot_sha256 = hashlib.sha256(canonical(snapshot)).hexdigest()
        report.state, report.published_at, report.published_by = ReportState.PUBLISHED, now, actor
        report.save(
            update_fields=["snapshot", "snapshot_sha256", "state", "published_at", "published_by"]
        )
        proposal_lifecycle.proposal_report_published(actor=actor, proposal=proposal)
        audit_record(
            actor=actor,
            action="report.publish",
            target=report,
            department=proposal.department,
            after={"sha256": report.snapshot_sha256, "summary_run": report.summary_run_id},
            scope=f"proposal:{proposal.pk}",
        )
        _notify_published(actor=actor, proposal=proposal)
    return report


def _notify_published(*, actor: User, proposal: Proposal) -> int:
    """Followers, subscribers and everyone who took part: one notification
    each, in bulk, in their language (proposals.services.followers)."""
    # Who took part is kept as it happens (proposals.services.participation).
    took_part = [
        Participant.objects.filter(proposal=proposal, user__isnull=False).values("user_id")
    ]
    return followers.followers_tell(
        proposal,
        kind=NotificationKind.REPORT,
        key=f"report:{proposal.pk}",
        actor=actor,
        excerpt=PUBLISHED,
        url=reverse("reports:public", args=[proposal.slug]),
        also=took_part,
    )
