from datetime import datetime

from django.core.paginator import Page, Paginator

from consult.notifications.models import Notification, Preference

PAGE_SIZE = 30


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


def personal_data_of(*, user_id: int) -> dict[str, list[dict]]:
    """What this app holds about a person, for their "download my data" archive."""
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
    # The notifications themselves are in the archive's own table (consult.privacy.export).
    return {"notification_preferences": preferences}
