"""Every write of the summary: start a run (the task computes it), give up
runs whose worker died, adopt a suggested theme."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.reports import rules
from consult.reports.models import ACTIVE_STATES, RunState, SummaryRun
from consult.reports.summary.selectors import latest_run
from consult.reports.tasks import summarise
from discussion.models import Comment
from discussion.moderation import curation
from proposals.models import Proposal, Status

# A run that has not finished after this long died with its worker.
STALE_AFTER = timedelta(minutes=30)
NOT_PUBLIC = _("A summary can only be made of a consultation that has opened.")


def lock_proposal(proposal: Proposal) -> Proposal:
    """The consultation, locked until the transaction ends; a write that also
    locks the report takes this lock first."""
    return Proposal.objects.select_for_update().select_related("department").get(pk=proposal.pk)


def expire_stale(proposal: Proposal) -> int:
    """Runs whose worker died: queued, or started, more than STALE_AFTER ago."""
    cutoff = timezone.now() - STALE_AFTER
    return SummaryRun.objects.filter(
        Q(state=RunState.QUEUED, created_at__lt=cutoff)
        | Q(state=RunState.RUNNING, started_at__lt=cutoff),
        proposal=proposal,
    ).update(state=RunState.FAILED, finished_at=timezone.now(), error="stale")


def summary_start(*, actor: User, proposal: Proposal) -> SummaryRun:
    """Queue a run, or return the one already under way."""

    with transaction.atomic():
        proposal = lock_proposal(proposal)
        if not rules.can_run_summary(actor, proposal):
            raise PermissionDenied(rules.NOT_ALLOWED)
        if proposal.effective_status() not in (
            Status.OPEN,
            Status.CLOSED,
            Status.REPORT_PUBLISHED,
        ):
            raise ValidationError(NOT_PUBLIC)
        expire_stale(proposal)
        running = SummaryRun.objects.filter(proposal=proposal, state__in=ACTIVE_STATES).first()
        if running is not None:
            return running
        try:
            with transaction.atomic():
                run = SummaryRun.objects.create(proposal=proposal, requested_by=actor)
        except IntegrityError:
            return SummaryRun.objects.get(proposal=proposal, state__in=ACTIVE_STATES)
        audit_record(
            actor=actor,
            action="summary.start",
            target=run,
            department=proposal.department,
            scope=f"proposal:{proposal.pk}",
        )
        transaction.on_commit(lambda: summarise.enqueue(run_id=run.pk))
    return run


SUGGESTION_GONE = _("That suggestion is no longer in the summary; reload the page.")
NOT_MODERATOR = _("Only moderators can tag comments with themes.")


def theme_adopt(
    *, actor: User, proposal: Proposal, run_id: int | None, index: int | None, name: str
) -> tuple[str, int, int]:
    """A moderator adopts a suggested theme of the latest summary as a tag on
    the comments behind it, each through curation (its limits, its audit).
    Returns the cleaned name, how many comments took it and how many could not."""
    if not rules.can_adopt_themes(actor, proposal):
        raise PermissionDenied(NOT_MODERATOR)
    done = latest_run(proposal)
    suggested = done.result["themes"]["suggested"] if done and done.pk == run_id else []
    if index is None or not 0 <= index < len(suggested):
        raise ValidationError(SUGGESTION_GONE)
    name = curation.clean_theme(name)
    tagged, refused = 0, 0
    ids = suggested[index]["comment_ids"]
    for comment in Comment.objects.filter(proposal=proposal, pk__in=ids).order_by("pk"):
        try:
            curation.comment_theme_add(actor=actor, comment=comment, name=name)
            tagged += 1
        except (ValidationError, PermissionDenied):
            refused += 1
    return name, tagged, refused
