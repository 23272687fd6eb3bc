"""Telling people things, inside the transaction of whatever happened.

The row is written with the change; the new unread count goes to the
person's open pages after commit (their sockets share a group, see
consult.infra.live.USER_GROUP). A failure to push is logged and costs nothing:
the count is on every page they load. Emails go out after commit too, from
the task worker (see consult.notifications.emails), as each person chose.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.infra.live import user_event
from consult.notifications.models import ALL_KINDS, Delivery, Kind, Notification, Preference
from consult.notifications.selectors import unread_count

logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 200


def excerpt_of(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _email(*, key: str, recipient_ids: list[int] | None = None) -> None:
    """Email what was just written to those who want it, from the worker.
    Robust: a queue that cannot take the task does not undo the change."""
    from consult.notifications.tasks import emails_send

    transaction.on_commit(
        lambda: emails_send.enqueue(key=key, recipient_ids=recipient_ids), robust=True
    )


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
        _email(key=key, recipient_ids=[recipient.pk])
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
        # By key, not by person: the worker reads the rows in batches.
        _email(key=key)
    return len(active)


# --- preferences -------------------------------------------------------------

SIGN_IN = _("Sign in to choose how you hear of your notifications.")
KIND_UNKNOWN = _("“%(kind)s” is not a kind of notification.")
DELIVERY_UNKNOWN = _("Choose each email as it happens, one daily digest, or no emails.")
LANGUAGE_UNKNOWN = _("“%(language)s” is not a language of this site.")


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


@transaction.atomic
def preferences_update(
    *, actor: User, email_kinds: list[str], delivery: str, language: str
) -> Preference:
    """Which kinds to email, how, and in which language ("" = the one last used)."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    errors: dict[str, list[ValidationError]] = {}
    unknown = [kind for kind in email_kinds if kind not in Kind.values]
    if unknown:
        errors["email_kinds"] = [
            ValidationError(KIND_UNKNOWN, params={"kind": kind}) for kind in unknown[:3]
        ]
    if delivery not in Delivery.values:
        errors["delivery"] = [ValidationError(DELIVERY_UNKNOWN)]
    if language and language not in _language_codes():
        errors["language"] = [ValidationError(LANGUAGE_UNKNOWN, params={"language": language[:20]})]
    if errors:
        raise ValidationError(errors)
    preference, _created = Preference.objects.select_for_update().get_or_create(user=actor)
    was_delivery = preference.delivery
    was_on = {kind for kind in Kind.values if preference.kind_on(kind)}
    preference.email = {kind: kind in email_kinds for kind in Kind.values}
    preference.delivery = delivery
    preference.language = language
    now = timezone.now()
    # What the person chose not to receive by email stays in the app: turning
    # emails back on does not send the past (by the hourly retry or the next
    # digest), only what happens from now on.
    unsent = Notification.objects.filter(recipient_id=actor.pk, emailed_at__isnull=True)
    if was_delivery == Delivery.NONE and delivery != Delivery.NONE:
        unsent.update(emailed_at=now)
    elif newly_on := set(email_kinds) - was_on:
        unsent.filter(kind__in=newly_on).update(emailed_at=now)
    if delivery == Delivery.DIGEST and was_delivery != Delivery.DIGEST:
        preference.digest_sent_at = now
    preference.save()
    return preference


@transaction.atomic
def email_stop(*, user: User, kind: str) -> Preference:
    """Unsubscribing: no more emails of this kind, or none at all (ALL_KINDS).
    Reached from a signed link, without signing in: the link is the authority."""
    if kind != ALL_KINDS and kind not in Kind.values:
        raise ValidationError(KIND_UNKNOWN, params={"kind": kind[:40]})
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    if kind == ALL_KINDS:
        preference.delivery = Delivery.NONE
    else:
        preference.email = {**(preference.email or {}), kind: False}
    preference.save()
    return preference


def language_record(*, user: User, language: str) -> None:
    """The language of the site at sign-in: emails follow it unless one was chosen."""
    if language not in _language_codes():
        return
    preference, created = Preference.objects.get_or_create(
        user_id=user.pk, defaults={"last_language": language}
    )
    if not created and preference.last_language != language:
        Preference.objects.filter(pk=preference.pk).update(last_language=language)


def notifications_erase(*, user: User) -> None:
    """An account being anonymised: its notifications and choices go.
    Others' notifications keep pointing at it, and so name it as every
    contribution does once the account is deleted ("deleted participant")."""
    Notification.objects.filter(recipient_id=user.pk).delete()
    Preference.objects.filter(user_id=user.pk).delete()
