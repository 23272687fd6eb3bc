from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.infra.refusals import refuse_on_form
from consult.notifications import selectors, services
from consult.notifications.forms import PreferencesForm
from consult.notifications.models import ALL_KINDS, Kind, Notification
from consult.notifications.unsubscribe import BadToken, token_read


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


SAVED = _("Your notification preferences are saved.")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_of(user_id=request.user.pk)
    form = PreferencesForm(request.POST or None, preference=preference)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preferences_update(actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                refuse_on_form(form, error)
            else:
                messages.success(request, SAVED)
                return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    return render(request, "notifications/preferences.html", {"form": form})


# The signed token is the authority here, not a session: mail clients send
# the one-click POST (RFC 8058) without cookies or a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, kind = token_read(token)
    except BadToken:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {
        "token": token,
        "kind": kind,
        "kind_label": Kind(kind).label if kind != ALL_KINDS else "",
        "all": ALL_KINDS,
    }
    if request.method != "POST":
        return render(request, "notifications/unsubscribe.html", context)
    # One-click sends "List-Unsubscribe=One-Click": it stops what the link names.
    stop = ALL_KINDS if request.POST.get("what") == ALL_KINDS else kind
    services.email_stop(user=user, kind=stop)
    return render(request, "notifications/unsubscribed.html", {**context, "stopped": stop})
