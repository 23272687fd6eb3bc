"""How long a signed-in session lasts.

A session ends after CONSULT_SESSION_IDLE_TIMEOUT seconds without a request
and after CONSULT_SESSION_MAX_AGE seconds whatever happens. Both are checked
on every request from two times kept in the session; the stored session's
own expiry follows the idle timeout, so an abandoned session is swept by
`clearsessions`. Django issues a new session key at every sign-in
(django.contrib.auth.login).

A live socket makes no request: every action it takes asks `session_ended`
first, and each server process asks `sessions_ended` about all its open
sockets' sessions at once, every CONSULT_SOCKET_SESSION_CHECK_SECONDS, and
closes those whose session has ended (discussion.live.socket_sessions).

Ending a session goes through logout(), so its open sockets close with it
(consult.accounts.signals).
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STARTED = "consult.session.started"
SEEN = "consult.session.seen"
# "Last seen" is written at most this often, not on every request.
SEEN_RESOLUTION = 60

IDLE_ENDED = _("You were signed out after a period without activity. Please sign in again.")
AGE_ENDED = _("Your session reached its maximum length. Please sign in again.")
SIGNED_OUT = _("You are signed out. Please sign in again.")
# Sessions asked about in one query.
CHECK_BATCH = 500


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


def _ended(data: dict, *, user_id: int, now: float):
    """Why a stored session no longer lets `user_id` act, or None."""
    if str(data.get(SESSION_KEY)) != str(user_id):
        return SIGNED_OUT
    started, seen = data.get(STARTED), data.get(SEEN)
    if isinstance(started, (int, float)) and now - started > max_age():
        return AGE_ENDED
    if isinstance(seen, (int, float)) and now - seen > idle_timeout():
        return IDLE_ENDED
    return None


def sessions_ended(owners: dict[str, int]) -> dict[str, str]:
    """Of these sessions (session key -> whose it is), the ones that have
    ended, each with why: gone, expired, another person's, or past the idle
    timeout or the maximum age. One query per CHECK_BATCH sessions."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    keys, now = list(owners), time.time()
    stored: dict[str, str] = {}
    for start in range(0, len(keys), CHECK_BATCH):
        stored.update(
            model.objects.filter(
                session_key__in=keys[start : start + CHECK_BATCH], expire_date__gt=timezone.now()
            ).values_list("session_key", "session_data")
        )
    ended = {}
    for key, user_id in owners.items():
        data = store().decode(stored[key]) if key in stored else {}
        reason = _ended(data, user_id=user_id, now=now)
        if reason is not None:
            ended[key] = reason
    return ended


def session_ended(*, session_key: str | None, user_id: int, acting: bool = False):
    """Why this session no longer lets the person act, or None while it does.

    `acting`: the person is doing something over a socket, which counts as
    activity as a request does, so someone who only posts live is not signed
    out for idleness; "last seen" is written at most once a SEEN_RESOLUTION."""
    if not session_key:
        return SIGNED_OUT
    if not acting:
        return sessions_ended({session_key: user_id}).get(session_key)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data, now = session.load(), time.time()
    if session.session_key is None or session.session_key != session_key:
        return SIGNED_OUT  # gone or expired: load() made a new, empty session
    reason = _ended(data, user_id=user_id, now=now)
    seen = data.get(SEEN)
    if reason is None and isinstance(seen, (int, float)) and now - seen >= SEEN_RESOLUTION:
        _touch(session, now)
        session.save()
    return reason


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
