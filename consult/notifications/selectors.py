from django.core.paginator import Page, Paginator

from consult.notifications.models import Notification

PAGE_SIZE = 30


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def inbox(*, user_id: int, page: str | int | None = 1) -> Page:
    notifications = Notification.objects.filter(recipient_id=user_id).select_related("actor")
    return Paginator(notifications, PAGE_SIZE).get_page(page)
