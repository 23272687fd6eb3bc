"""Reads of the summary runs."""

from __future__ import annotations

from consult.reports.models import RunState, SummaryRun
from proposals.models import Proposal


def latest_run(proposal: Proposal) -> SummaryRun | None:
    return SummaryRun.objects.filter(proposal=proposal, state=RunState.DONE).first()
