"""One summary run, computed: the body of the background task."""

from __future__ import annotations

import json
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from consult.reports.models import RunState, SummaryRun
from consult.reports.summary import progress
from consult.reports.summary.stages import within
from proposals.models import Proposal

logger = logging.getLogger(__name__)


def summary_compute(*, run_id: int) -> SummaryRun | None:
    """The task's body: compute one queued run. A run already taken is left alone."""
    now = timezone.now()
    if not SummaryRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now, stage="prepare", progress=1
    ):
        return None
    run = SummaryRun.objects.select_related("proposal", "proposal__department").get(pk=run_id)
    report = progress.Reporter(run)
    progress.send(run.proposal_id, progress.run_message(run))
    proposal = run.proposal
    try:
        # Here, not at the top: NumPy, scikit-learn and jieba load in the worker
        # only, as the run's first step (a second or two, told as such).
        from consult.reports.summary import computing, loader

        computing.prepare()
        within(report, "prepare")(1.0)
        inputs = loader.load(proposal, progress=within(report, "load"))
        result = computing.compute(
            inputs,
            proposal=proposal_header(proposal),
            zone=ZoneInfo(settings.TIME_ZONE),
            progress=report,
        )
        within(report, "finish")(0.0)
        # Stored as JSON once, so that what is read back is what was written.
        result = json.loads(json.dumps(result, sort_keys=True))
    except Exception:
        logger.exception("summary run %s of proposal %s failed", run.pk, proposal.pk)
        run.state, run.finished_at, run.error = RunState.FAILED, timezone.now(), "failed"
        SummaryRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=run.state, finished_at=run.finished_at, error=run.error
        )
        progress.send(run.proposal_id, progress.run_message(run))
        return run
    finished = timezone.now()
    # Only a run still ours: one given up as stale meanwhile stays failed.
    if not SummaryRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.DONE,
        progress=100,
        stage="finish",
        finished_at=finished,
        result=result,
        fingerprint=result["inputs"]["fingerprint"],
    ):
        run.refresh_from_db()
        return run
    run.state, run.progress, run.stage, run.finished_at = RunState.DONE, 100, "finish", finished
    run.result, run.fingerprint = result, result["inputs"]["fingerprint"]
    progress.send(run.proposal_id, progress.run_message(run))
    return run


def proposal_header(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "slug": proposal.slug,
        "title": proposal.title,
        "department": proposal.department.name,
        "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
        "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
    }
