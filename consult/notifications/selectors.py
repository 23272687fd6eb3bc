from datetime import datetime

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from consult.accounts.signals import PersonalRows
from consult.notifications.models import Notification, Preference

PAGE_SIZE = 30
NOTIFICATIONS = _("Your notifications: what each was about and when you read it.")


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    """Many people's unread counts in one query (0 for those with none)."""
    from django.db.models import Count

    counts = dict.fromkeys(user_ids, 0)
    counts.update(
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values_list("recipient_id", "n")
    )
    return counts


def inbox(*, user_id: int, page: str | int | None = 1) -> Page:
    notifications = Notification.objects.filter(recipient_id=user_id).select_related("actor")
    return Paginator(notifications, PAGE_SIZE).get_page(page)


def preference_of(*, user_id: int) -> Preference:
    """The person's choices, or the defaults (unsaved) when they have made none."""
    return Preference.objects.filter(user_id=user_id).first() or Preference(user_id=user_id)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def notifications_of(*, user_id: int) -> dict[str, list[dict]]:
    """A person's notifications, for their "download my data" archive."""
    # Not the excerpt: those are someone else's words.
    rows = (
        Notification.objects.filter(recipient_id=user_id)
        .order_by("pk")
        .values("kind", "subject", "url", "created_at", "read_at", "emailed_at")
    )
    return {"notifications": PersonalRows(rows, about=NOTIFICATIONS)}


def personal_data_of(*, user_id: int) -> dict[str, list[dict]]:
    """The person's choices, for their "download my data" archive."""
    preferences = [
        {
            "email": preference.email,
            "delivery": preference.delivery,
            "language": preference.language,
            "last_language": preference.last_language,
            "digest_sent_at": _iso(preference.digest_sent_at),
            "updated_at": _iso(preference.updated_at),
        }
        for preference in Preference.objects.filter(user_id=user_id)
    ]
    return {"notification_preferences": preferences}
