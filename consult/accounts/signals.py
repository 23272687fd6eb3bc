"""A person's live sockets end with their session: signing out closes the
sockets of that session; changing or resetting the password ends every
session, so it closes every socket of the person, wherever it is served (a
suspension does the same, in services.user_set_active)."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import Signal, receiver

from consult.infra.live import session_sockets_close, user_sockets_close
from consult.infra.tables import plain


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


# Contracts for the apps that own a person's rows (consult.privacy sends the
# first two, and owns neither what they delete nor what they list).
#
# account_erasing: sent inside the transaction that anonymises an account,
# with `user`, while the account is still as it was; each app deletes or
# blanks what of its own links the person to it (roles, sign-in links,
# notifications, identity claims, tokens...). Contributions are not deleted.
# A receiver may return a dict of counts ({"roles_removed": 2}) for the
# audit log entry of the deletion.
account_erasing = Signal()
#
# personal_data: sent while building a person's "download my data" archive,
# with `user`; each receiver returns {table name: [row dict, ...]} of what it
# holds about them: values JSON can hold, or dates and times (written in
# UTC, ISO 8601). A table given as PersonalRows also says what it holds.
personal_data = Signal()
#
# display_name_changed: sent on commit of a new display name, with `user_id`;
# what keeps a copy of the name drawn into it (the live event log) redraws it.
display_name_changed = Signal()


class PersonalRows(list):
    """One table of a person's archive as a personal_data receiver answers
    it: its rows as JSON holds them (see plain), and a sentence saying what
    they are (for the archive's README)."""

    def __init__(self, rows=(), *, about: object = "") -> None:
        super().__init__(plain(dict(row)) for row in rows)
        self.about = about
