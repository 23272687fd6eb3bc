"""The proposals' jobs on the clock, run by the task worker: the scheduler
enqueues them (consult/management/commands/scheduler.py).

Telling followers of a change is a task of its own, scheduled on commit by
the services that make the change: `proposals.services.followers`.
"""

from __future__ import annotations

from django.tasks import task

from proposals.services import followers, lifecycle


@task
def lifecycle_advance() -> dict[str, int]:
    """Store the statuses that the clock has already changed (see Proposal.effective_status)."""
    return lifecycle.lifecycle_advance()


@task
def closing_soon_notify() -> int:
    """Tell the followers of each open consultation that closes within three
    days, once per deadline: an extension to another day tells them again.
    Run hourly."""
    return followers.closing_soon_tell()
