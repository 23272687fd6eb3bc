"""How long a signed-in session lasts.

A session ends after CONSULT_SESSION_IDLE_TIMEOUT seconds without a request
and after CONSULT_SESSION_MAX_AGE seconds whatever happens. Both are checked
on every request from two times kept in the session; the stored session's
own expiry follows the idle timeout, so an abandoned session also stops
working for the live sockets and is swept by `clearsessions`. Django issues a
new session key at every sign-in (django.contrib.auth.login).

Ending a session goes through logout(), so its open sockets close with it
(consult.accounts.signals).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

STARTED = "consult.session.started"
SEEN = "consult.session.seen"
# "Last seen" is written at most this often, not on every request.
SEEN_RESOLUTION = 60

IDLE_ENDED = _("You were signed out after a period without activity. Please sign in again.")
AGE_ENDED = _("Your session reached its maximum length. Please sign in again.")


def idle_timeout() -> int:
    return settings.CONSULT_SESSION_IDLE_TIMEOUT


def max_age() -> int:
    return settings.CONSULT_SESSION_MAX_AGE


def _touch(session, now: float) -> None:
    session[SEEN] = now
    # A session that ends with the browser (allauth's "remember me" unticked) stays so.
    if session.get("_session_expiry") != 0:
        session.set_expiry(min(idle_timeout(), max(1, int(session[STARTED] + max_age() - now))))


@receiver(user_logged_in)
def _started(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    session[STARTED] = now
    _touch(session, now)


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        response = self.get_response(request)
        # Signing in may have set a longer expiry after our receiver ran
        # (allauth's "remember me"): the stored session never outlives the
        # idle timeout.
        session = request.session
        if (
            request.user.is_authenticated
            and isinstance(session.get(STARTED), (int, float))
            and session.get("_session_expiry") != 0
            and session.get_expiry_age() > idle_timeout()
        ):
            _touch(session, time.time())
        return response

    def _check(self, request) -> None:
        session, now = request.session, time.time()
        started, seen = session.get(STARTED), session.get(SEEN)
        if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
            # A session from before these limits: they start counting now.
            session[STARTED] = now
            _touch(session, now)
            return
        ended = None
        if now - started > max_age():
            ended = AGE_ENDED
        elif now - seen > idle_timeout():
            ended = IDLE_ENDED
        if ended is not None:
            logout(request)
            messages.info(request, ended)
        elif now - seen >= SEEN_RESOLUTION:
            _touch(session, now)
