"""The admin site without a sign-in form of its own.

Django's admin login takes an email and a password and nothing more; here
everyone signs in through allauth's pages, with their second-factor step,
and the admin opens only to staff whose session passed the second factor.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

NOT_STAFF = _("Only staff admins use the admin site.")


class AdminSite(admin.AdminSite):
    site_header = "consult"

    def has_permission(self, request: HttpRequest) -> bool:
        from consult.accounts.second_factor import staff_second_factor_pending

        return super().has_permission(request) and not staff_second_factor_pending(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
        """Sends the visitor to allauth's sign-in (or, signed in as staff, to
        the second factor) and back; a posted password is never looked at."""
        from consult.accounts.second_factor import second_factor_step, staff_second_factor_pending

        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        next_url = next_url or reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if staff_second_factor_pending(request):
                return second_factor_step(request, next_url)
            if self.has_permission(request):
                return HttpResponseRedirect(next_url)
            # Signed in without staff rights: signing in again would come back here.
            raise PermissionDenied(NOT_STAFF)
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


class ConsultAdminConfig(AdminConfig):
    default_site = "consult.accounts.admin_site.AdminSite"
