"""Telling people things, inside the transaction of whatever happened.

The row is written with the change; the new unread count goes to the
person's open pages after commit (their sockets share a group, see
consult.live.USER_GROUP). A failure to push is logged and costs nothing:
the count is on every page they load.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.live import user_event
from consult.notifications.models import Kind, Notification
from consult.notifications.selectors import unread_count

logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 200


def excerpt_of(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _push(user_ids: set[int]) -> None:
    def send() -> None:
        for user_id in user_ids:
            user_event(user_id=user_id, type="user.notify", unread=unread_count(user_id=user_id))

    transaction.on_commit(send)


def notify(
    *,
    recipient: User,
    kind: Kind,
    key: str,
    subject: str,
    url: str,
    actor: User | None = None,
    excerpt: str = "",
) -> Notification | None:
    """One notification per recipient per thing; none for one's own doings
    or for an account that can no longer sign in."""
    if (actor is not None and recipient.pk == actor.pk) or not recipient.is_active:
        return None
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key,
        defaults={
            "kind": kind,
            "actor": actor,
            "subject": subject[:300],
            "excerpt": excerpt_of(excerpt),
            "url": url,
        },
    )
    if created:
        _push({recipient.pk})
    return notification


def withdraw(*, key: str) -> None:
    """What it was about is gone (a reply deleted): so are its notifications."""
    notifications = Notification.objects.filter(key=key)
    recipients = set(notifications.values_list("recipient_id", flat=True))
    notifications.delete()
    if recipients:
        _push(recipients)


def refresh(*, key: str, excerpt: str) -> None:
    """What it was about changed (a reply edited): show the words as they are now."""
    Notification.objects.filter(key=key).update(excerpt=excerpt_of(excerpt))


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one notification, or all of them, as read; returns how many changed."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    changed = unread.update(read_at=timezone.now())
    if changed:
        _push({user.pk})
    return changed


# SQLite takes at most 32,766 parameters in one statement.
_CHUNK = 10_000


def notify_many(
    *,
    recipients: dict[int, str],
    kind: Kind,
    key: str,
    subject: str,
    actor: User | None = None,
    excerpt: str = "",
) -> int:
    """One notification to each of many people (person id -> where to look):
    the rules of `notify`, one insert per thousand, and the unread counts
    pushed by a background task after commit. Returns how many were told."""
    from consult.notifications.tasks import push_unread

    wanted = sorted(set(recipients) - ({actor.pk} if actor is not None else set()))
    active: list[int] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        active.extend(
            User.objects.filter(pk__in=chunk, is_active=True).values_list("pk", flat=True)
        )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                actor=actor,
                key=key,
                subject=subject[:300],
                excerpt=excerpt_of(excerpt),
                url=recipients[pk],
            )
            for pk in active
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    if active:
        transaction.on_commit(lambda: push_unread.enqueue(user_ids=active))
    return len(active)
