from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from consult.notifications import selectors, services
from consult.notifications.models import Notification


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = selectors.inbox(user_id=request.user.pk, page=request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@require_POST
@login_required
def open_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark as read and go to what it is about."""
    notification = Notification.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if notification is None:
        raise Http404
    services.mark_read(user=request.user, notification_id=notification.pk)
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if safe else "notifications:inbox")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")
