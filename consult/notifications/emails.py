"""Notifications by email: each as it happens, or in one daily digest.

Only the task worker calls this (consult.notifications.tasks), never a
request. Each email is in its recipient's language, in plain text and
HTML, with links to the site at CONSULT_SITE_URL and a one-click
unsubscribe link (RFC 8058).

Only an active account with a verified primary address is emailed: an
address nobody has confirmed may belong to someone else.

A notification is claimed (emailed_at set) before it is sent, so two
workers, a retried task or the digest never send it twice; one that fails
to send is released. People are read in batches, a few queries for each
batch whatever its size.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urljoin

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.notifications.models import ALL_KINDS, Delivery, Kind, Notification, Preference
from consult.notifications.unsubscribe import token_for

logger = logging.getLogger(__name__)

BATCH = 500
# "Daily", for a digest task that runs every hour: a few minutes late
# yesterday must not push today's digest to the next hour.
DIGEST_INTERVAL = timedelta(hours=23, minutes=30)
# A first digest looks back this far.
DIGEST_FIRST_LOOKBACK = timedelta(days=1)
DIGEST_MAX_ITEMS = 50
# Emails left unsent are tried again for this long, once this old.
PENDING_WITHIN = timedelta(days=1)
PENDING_AFTER = timedelta(minutes=10)
SUBJECT_MAX_LENGTH = 200

HEADLINES = {
    Kind.REPLY: _("%(name)s replied to your comment on “%(subject)s”"),
    Kind.RESPONSE: _("An official response on “%(subject)s”"),
    Kind.MODERATION: _("A moderation decision: %(subject)s"),
    Kind.REPORT: _("The response report of “%(subject)s” is published"),
    Kind.OPENED: _("“%(subject)s” is open: have your say"),
    Kind.CLOSING: _("“%(subject)s” closes within three days"),
    Kind.VERSION: _("A new version of “%(subject)s”"),
}


@dataclass(frozen=True)
class Recipient:
    user: User
    address: str
    preference: Preference

    def wants(self, kind: str, delivery: str) -> bool:
        return self.preference.delivery == delivery and self.preference.emails(kind)


def recipients_of(user_ids: Iterable[int]) -> dict[int, Recipient]:
    """Who among these people can be emailed, with their choices: two queries."""
    addresses = {
        address.user_id: address
        for address in EmailAddress.objects.filter(
            user_id__in=list(user_ids), primary=True, verified=True, user__is_active=True
        ).select_related("user")
    }
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(addresses))}
    return {
        user_id: Recipient(
            address.user, address.email, preferences.get(user_id) or Preference(user_id=user_id)
        )
        for user_id, address in addresses.items()
    }


def claim(ids: list[int]) -> tuple[set[int], datetime]:
    """Mark these as emailed; returns the ones this worker marked, and the mark.

    The mark is this worker's own instant: a row another worker marked first
    keeps that worker's and is not returned.
    """
    stamp = timezone.now()
    if not ids:
        return set(), stamp
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=stamp)
    mine = Notification.objects.filter(pk__in=ids, emailed_at=stamp).values_list("pk", flat=True)
    return set(mine), stamp


def release(ids: list[int], stamp: datetime) -> None:
    """They were not sent after all: a later digest or retry may send them."""
    if ids:
        Notification.objects.filter(pk__in=ids, emailed_at=stamp).update(emailed_at=None)


# --- rendering -------------------------------------------------------------------


def absolute(path: str) -> str:
    return urljoin(settings.CONSULT_SITE_URL + "/", path)


def one_line(text: str, limit: int = SUBJECT_MAX_LENGTH) -> str:
    """A header value: no line breaks (they would forge headers), not too long."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(notification: Notification) -> str:
    """What happened, in the active language."""
    actor = notification.actor
    name = actor.public_name if actor is not None else gettext("Someone")
    template = HEADLINES.get(notification.kind)
    if template is None:
        return one_line(notification.subject, 300)
    return one_line(str(template) % {"name": name, "subject": notification.subject}, 300)


def _item(notification: Notification) -> dict:
    return {
        "headline": headline(notification),
        "kind": notification.get_kind_display(),
        "excerpt": notification.excerpt,
        "url": absolute(notification.url),
        "created_at": notification.created_at,
    }


def _message(
    *, recipient: Recipient, language: str, subject: str, template: str, context: dict, stop: str
) -> EmailMultiAlternatives:
    unsubscribe_url = absolute(
        reverse(
            "notifications:unsubscribe",
            args=[token_for(user=recipient.user, kind=stop)],
        )
    )
    context = {
        **context,
        "language": language,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "inbox_url": absolute(reverse("notifications:inbox")),
        "site_url": settings.CONSULT_SITE_URL,
    }
    message = EmailMultiAlternatives(
        one_line(subject),
        render_to_string(f"email/notifications/{template}.txt", context),
        None,
        [recipient.address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": language,
            # RFC 3834: no out-of-office replies to a machine's message.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"email/notifications/{template}.html", context), "text/html"
    )
    return message


def notification_message(
    recipient: Recipient, notification: Notification
) -> EmailMultiAlternatives:
    language = recipient.preference.email_language()
    with translation.override(language):
        item = _item(notification)
        return _message(
            recipient=recipient,
            language=language,
            subject=item["headline"],
            template="notification",
            context={"item": item},
            stop=notification.kind,
        )


def digest_message(
    recipient: Recipient, notifications: list[Notification]
) -> EmailMultiAlternatives:
    language = recipient.preference.email_language()
    count = len(notifications)
    with translation.override(language):
        subject = ngettext(
            "Your daily digest: %(count)d new notification",
            "Your daily digest: %(count)d new notifications",
            count,
        ) % {"count": count}
        return _message(
            recipient=recipient,
            language=language,
            subject=subject,
            template="digest",
            context={
                "items": [_item(n) for n in notifications[:DIGEST_MAX_ITEMS]],
                "count": count,
                "more": max(0, count - DIGEST_MAX_ITEMS),
            },
            stop=ALL_KINDS,
        )


# --- sending ---------------------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    """One email to one person, and the notifications it carries."""

    user_id: int
    ids: list[int]
    build: Callable[[], EmailMultiAlternatives]


def _send(connection, parcel: Parcel) -> bool:
    try:
        return bool(connection.send_messages([parcel.build()]))
    except Exception:
        # The address stays out of the log.
        logger.exception("A notification email could not be made or sent")
        return False


def _deliver(parcels: list[Parcel], stamp: datetime) -> list[Parcel]:
    """Send each; what was not sent (or not reached, if the mail server is
    down) is released for another try. Returns the parcels sent."""
    sent: list[Parcel] = []
    try:
        with mailers.default as connection:
            sent = [parcel for parcel in parcels if _send(connection, parcel)]
    finally:
        delivered = {pk for parcel in sent for pk in parcel.ids}
        release([pk for parcel in parcels for pk in parcel.ids if pk not in delivered], stamp)
    return sent


def send_immediate(*, key: str, recipient_ids: list[int] | None = None) -> int:
    """Email the notifications about `key` to those who want each as it
    happens; returns how many were sent."""
    rows = Notification.objects.filter(key=key, emailed_at__isnull=True)
    if recipient_ids is not None:
        rows = rows.filter(recipient_id__in=recipient_ids)
    return _send_rows(rows)


def send_pending(*, now: datetime | None = None) -> int:
    """What the emails of the last day left unsent, as it should have
    happened: a mail server that was down, a task that never ran. Recent
    ones are left to the task already on its way."""
    now = now or timezone.now()
    rows = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__gte=now - PENDING_WITHIN,
        created_at__lte=now - PENDING_AFTER,
    )
    return _send_rows(rows)


def _send_rows(rows) -> int:
    rows = rows.select_related("actor")
    sent, after = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=after).order_by("pk")[:BATCH])
        if not batch:
            return sent
        after = batch[-1].pk
        sent += _send_each(batch)
        if len(batch) < BATCH:
            return sent


def _send_each(batch: list[Notification]) -> int:
    recipients = recipients_of({n.recipient_id for n in batch})
    wanted = [
        n
        for n in batch
        if n.recipient_id in recipients
        and recipients[n.recipient_id].wants(n.kind, Delivery.IMMEDIATE)
    ]
    mine, stamp = claim([n.pk for n in wanted])
    parcels = [
        Parcel(n.recipient_id, [n.pk], partial(notification_message, recipients[n.recipient_id], n))
        for n in wanted
        if n.pk in mine
    ]
    return len(_deliver(parcels, stamp)) if parcels else 0


def send_digests(*, now: datetime | None = None) -> int:
    """One email to each person due a digest, listing what they have not been
    emailed or read since the last one; returns how many digests were sent."""
    now = now or timezone.now()
    due = Preference.objects.filter(delivery=Delivery.DIGEST, user__is_active=True).filter(
        Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - DIGEST_INTERVAL)
    )
    sent, after = 0, 0
    while True:
        batch = list(due.filter(user_id__gt=after).order_by("user_id")[:BATCH])
        if not batch:
            return sent
        after = batch[-1].user_id
        sent += _digest_batch(batch, now)
        if len(batch) < BATCH:
            return sent


def _digest_batch(preferences: list[Preference], now: datetime) -> int:
    recipients = recipients_of(p.user_id for p in preferences)
    since = {
        p.user_id: p.digest_sent_at or now - DIGEST_FIRST_LOOKBACK
        for p in preferences
        if p.user_id in recipients
    }
    if not since:
        return 0
    rows = (
        Notification.objects.filter(
            recipient_id__in=list(since),
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gt=min(since.values()),
        )
        .select_related("actor")
        .order_by("recipient_id", "-created_at", "-pk")
    )
    listed: dict[int, list[Notification]] = defaultdict(list)
    for n in rows:
        recipient = recipients[n.recipient_id]
        if n.created_at > since[n.recipient_id] and recipient.preference.emails(n.kind):
            listed[n.recipient_id].append(n)
    mine, stamp = claim([n.pk for items in listed.values() for n in items])
    parcels = []
    for user_id, items in listed.items():
        items = [n for n in items if n.pk in mine]
        if items:
            build = partial(digest_message, recipients[user_id], items)
            parcels.append(Parcel(user_id, [n.pk for n in items], build))
    if not parcels:
        return 0
    sent_to = [parcel.user_id for parcel in _deliver(parcels, stamp)]
    Preference.objects.filter(user_id__in=sent_to).update(digest_sent_at=now)
    return len(sent_to)
