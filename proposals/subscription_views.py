"""Following a topic, a department or a place: the page of what a person
follows, and the buttons on the lists and consultation pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consult.infra.ratelimit import RateLimited
from consult.infra.refusals import refusal_messages
from consult.infra.translations import text_in
from proposals import subscription_selectors as selectors
from proposals.services import subscriptions
from proposals.subscription_selectors import named_topic


def _page(request: HttpRequest, *, errors: list[str] = (), status: int = 200) -> HttpResponse:
    return render(
        request,
        "proposals/subscriptions.html",
        {
            "followed": selectors.subscription_list(user=request.user),
            "choices": selectors.subscription_choices(),
            "errors": errors,
        },
        status=status,
    )


@require_safe
@login_required
def subscription_index(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _status(error: BaseException) -> int:
    if isinstance(error, RateLimited):
        return 429
    if isinstance(error, PermissionDenied):
        return 403
    return 404 if getattr(error, "code", None) == subscriptions.NOT_FOUND else 400


@require_POST
@login_required
def subscription_set(request: HttpRequest) -> HttpResponse:
    """Follow (follow=1) or stop following (follow=0) a topic, department or place."""
    kind, slug = request.POST.get("kind", ""), request.POST.get("slug", "")
    following = request.POST.get("follow", "1") != "0"
    change = subscriptions.subscription_follow if following else subscriptions.subscription_unfollow
    try:
        target = change(actor=request.user, kind=kind, slug=slug)
    except (ValidationError, PermissionDenied) as error:
        return _page(request, errors=refusal_messages(error), status=_status(error))
    name = text_in(named_topic(target) if kind == subscriptions.Target.TOPIC else target, "name")
    if following:
        text = _(
            "You now follow %(name)s: you will be told when a consultation there opens, "
            "three days before it closes, and when its report is published."
        )
    else:
        text = _("You no longer follow %(name)s.")
    messages.success(request, text % {"name": name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("subscriptions:index")
