"""Steps the summary and report tests share: run a summary, close the
consultation, bring a draft up to date."""

from consult.reports.models import (
    ResponseReport,
    SummaryRun,
)
from consult.reports.report.drafting import report_draft
from consult.reports.summary.services import summary_start
from proposals.services import lifecycle as proposal_lifecycle


def run_summary(proposal, actor, django_capture_on_commit_callbacks) -> SummaryRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = summary_start(actor=actor, proposal=proposal)
    run.refresh_from_db()
    return run


def close(proposal, people):
    proposal_lifecycle.proposal_close_early(
        actor=people.official, proposal=proposal, reason="The window has ended."
    )
    proposal.refresh_from_db()


def close_and_refresh(report, people, capture) -> ResponseReport:
    """Close the consultation, summarise it again and bring the draft up to date."""
    close(report.proposal, people)
    run_summary(report.proposal, people.official, capture)
    return report_draft(actor=people.official, proposal=report.proposal)
