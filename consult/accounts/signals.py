"""A person's live sockets end with their session: signing out closes the
sockets of that session; changing or resetting the password ends every
session, so it closes every socket of the person, wherever it is served (a
suspension does the same, in services.user_set_active)."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from consult.live import session_sockets_close, user_sockets_close


@receiver(user_logged_out)
def _close_on_logout(sender, request, user, **kwargs) -> None:
    # Called before the session is flushed, so its key is still the one the sockets joined with.
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        session_sockets_close(session_key=key)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _close_on_new_password(sender, request, user, **kwargs) -> None:
    user_sockets_close(user_id=user.pk)
