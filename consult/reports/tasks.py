"""Background work of the summary, run by the task worker."""

from django.tasks import task

from consult.reports.summary import running


@task
def summarise(run_id: int) -> str:
    """Compute one queued summary run; its progress goes to the open pages."""
    run = running.summary_compute(run_id=run_id)
    return run.state if run else "skipped"
