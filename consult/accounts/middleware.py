from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

MFA_REQUIRED = _(
    "Staff accounts need two-factor authentication before they can act. Set it up now."
)

# Staff can always reach the pages that let them set up the factor or leave.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")


class StaffSecondFactorMiddleware:
    """Sends staff without a second factor to set one up before they act.

    Acting means the admin site or any write; reading public pages is allowed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            messages.warning(request, MFA_REQUIRED)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.CONSULT_STAFF_REQUIRE_MFA:
            return False
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return False
        if request.path.startswith(OPEN_PREFIXES):
            return False
        acting = request.path.startswith("/admin/") or request.method not in {"GET", "HEAD"}
        if not acting:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
