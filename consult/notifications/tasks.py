"""Background work of notifications, run by the task worker."""

from django.tasks import task

from consult.live import user_event
from consult.notifications.selectors import unread_count


@task
def push_unread(user_ids: list[int]) -> int:
    """Each person's new unread count to their open pages, after a
    notification sent to many at once (see services.notify_many)."""
    for user_id in user_ids:
        user_event(user_id=user_id, type="user.notify", unread=unread_count(user_id=user_id))
    return len(user_ids)
