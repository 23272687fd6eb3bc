from consult.accounts.second_factor import (
    PENDING,
    second_factor_step,
    staff_second_factor_pending,
)

# Staff can always reach the pages that let them pass or set up the factor or
# leave (allauth's, under /accounts/), and their own data. The reviewers'
# pages and API tokens live under /accounts/ too but are not allauth's.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")
CLOSED_PREFIXES = ("/accounts/identity/", "/accounts/tokens/")
READS = {"GET", "HEAD", "OPTIONS"}
REFUSED = {403, 404}


class StaffSecondFactorMiddleware:
    """Staff act only from a session that passed the second factor.

    Acting means the admin site or any write; reading public pages is allowed.
    A staff session without it is sent to pass it (or to set one up), and its
    user is marked so that every staff-only check (`rules.is_staff_admin`)
    refuses it meanwhile; a page that then refuses it offers the same step.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not staff_second_factor_pending(request):
            return self.get_response(request)
        setattr(request.user, PENDING, True)
        if self._acting(request):
            next_url = request.get_full_path() if request.method in READS else ""
            return second_factor_step(request, next_url)
        response = self.get_response(request)
        if response.status_code in REFUSED and request.method in READS:
            # A staff-only page (a person's sanctions, say) refused or hid
            # itself: the way to it is the second factor.
            return second_factor_step(request, request.get_full_path())
        return response

    def _acting(self, request) -> bool:
        path = request.path
        if path.startswith("/admin/"):
            return True
        if path.startswith(OPEN_PREFIXES) and not path.startswith(CLOSED_PREFIXES):
            return False
        return request.method not in READS
