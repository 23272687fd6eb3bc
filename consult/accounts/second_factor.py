"""Has this session passed the second factor? Staff powers depend on it.

Having a factor enrolled is not enough: a password alone could have started
the session. allauth records, in the session, every way it was authenticated
(a password, a provider, "mfa" for a TOTP or recovery code at sign-in or to
confirm later), tied to the user it was recorded for. Staff act only from a
session holding an "mfa" record.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

MFA_REQUIRED = _(
    "Staff accounts need two-factor authentication before they can act. Set it up now."
)
CONFIRM_SECOND_FACTOR = _(
    "Staff pages and actions need your second factor in this session. "
    "Enter a code from your authenticator app."
)

# Set on the request's user by StaffSecondFactorMiddleware; rules.is_staff_admin honours it.
PENDING = "second_factor_pending"


def session_passed_second_factor(request: HttpRequest) -> bool:
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def staff_second_factor_pending(request: HttpRequest) -> bool:
    """A staff session that has not passed the second factor, when one is required."""
    if not settings.CONSULT_STAFF_REQUIRE_MFA:
        return False
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return False
    return not session_passed_second_factor(request)


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_step(request: HttpRequest, next_url: str = "") -> HttpResponseRedirect:
    """Where a staff session goes to pass its second factor, or to set one up
    first, coming back to `next_url` afterwards."""
    if has_second_factor(request.user):
        messages.warning(request, CONFIRM_SECOND_FACTOR)
        url = reverse("mfa_reauthenticate")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        return HttpResponseRedirect(url)
    messages.warning(request, MFA_REQUIRED)
    return HttpResponseRedirect(reverse("mfa_activate_totp"))
