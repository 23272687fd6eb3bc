"""Background work for proposals, run by the task worker."""

from django.tasks import task

from proposals import services


@task
def lifecycle_advance() -> dict[str, int]:
    """Store the statuses that the clock has already changed (see Proposal.effective_status)."""
    return services.lifecycle_advance()
