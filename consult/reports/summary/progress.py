"""A run's progress: stored on the row when it has moved enough to be seen,
and sent to the open summary pages."""

from __future__ import annotations

import logging

from consult.infra.live import group_send
from consult.reports.models import SummaryRun

logger = logging.getLogger(__name__)

# Progress is stored and sent when it moves by at least this many points.
PROGRESS_STEP = 2


def progress_group(proposal_id: int) -> str:
    return f"summary.{proposal_id}"


def send(proposal_id: int, message: dict) -> None:
    """Tell the open summary pages; never raises (the page also polls the row)."""
    try:
        group_send(progress_group(proposal_id), {"type": "summary.progress", **message})
    except Exception:
        logger.exception("summary progress for proposal %s not sent", proposal_id)


def run_message(run: SummaryRun) -> dict:
    return {
        "run": run.pk,
        "state": run.state,
        "stage": run.stage,
        "progress": run.progress,
        "error": run.error,
    }


class Reporter:
    """Stores and sends progress when it has moved enough to be seen."""

    def __init__(self, run: SummaryRun) -> None:
        self.run = run

    def __call__(self, stage: str, percent: int) -> None:
        percent = max(self.run.progress, min(int(percent), 99))
        if stage == self.run.stage and percent - self.run.progress < PROGRESS_STEP:
            return
        self.run.stage, self.run.progress = stage, percent
        SummaryRun.objects.filter(pk=self.run.pk).update(stage=stage, progress=percent)
        send(self.run.proposal_id, run_message(self.run))
