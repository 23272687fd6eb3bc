"""Background work of notifications, run by the task worker."""

from django.tasks import task

from consult.infra.live import user_event
from consult.notifications import emails
from consult.notifications.selectors import unread_counts

# SQLite takes at most 32,766 parameters in one statement.
_CHUNK = 5_000


@task
def push_unread(user_ids: list[int]) -> int:
    """Each person's new unread count to their open pages, after a
    notification sent to many at once (see services.notify_many)."""
    for start in range(0, len(user_ids), _CHUNK):
        counts = unread_counts(user_ids=user_ids[start : start + _CHUNK])
        for user_id, unread in counts.items():
            user_event(user_id=user_id, type="user.notify", unread=unread)
    return len(user_ids)


@task
def emails_send(key: str, recipient_ids: list[int] | None = None) -> int:
    """Email new notifications about one thing to those who want each as it
    happens (enqueued after commit by services.notify and notify_many)."""
    return emails.send_immediate(key=key, recipient_ids=recipient_ids)


@task
def digests_send() -> int:
    """The daily digest of everyone who chose it and is due one. Run hourly:
    each person gets at most one a day."""
    return emails.send_digests()


@task
def emails_retry() -> int:
    """Send the emails of the last day that failed or whose task never ran.
    Run hourly."""
    return emails.send_pending()
