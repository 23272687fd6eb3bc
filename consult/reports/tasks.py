"""Background work of the summary, run by the task worker."""

from django.tasks import task

from consult.reports import services


@task
def summarise(run_id: int) -> str:
    """Compute one queued summary run; its progress goes to the open pages."""
    run = services.summary_compute(run_id=run_id)
    return run.state if run else "skipped"


@task
def push_unread(user_ids: list[int]) -> int:
    """Each person's new unread count to their open pages, after a
    notification sent to many at once (a published report)."""
    from consult.live import user_event
    from consult.notifications.selectors import unread_count

    for user_id in user_ids:
        user_event(user_id=user_id, type="user.notify", unread=unread_count(user_id=user_id))
    return len(user_ids)
