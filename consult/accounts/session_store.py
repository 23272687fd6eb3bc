"""The session engine: Django's database sessions, each row marked with
whose session it is (SESSION_ENGINE = "consult.accounts.session_store").

Knowing the owner lets every session of a person end with one DELETE: when
they delete their account, or when an admin or a password change must sign
them out everywhere (consult.accounts.services.sessions_end_all). The mark
follows the session's own data, so it is set at sign-in and cleared at
sign-out by the ordinary save.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore


def _owner(data: dict) -> int | None:
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from consult.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _owner(data)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = _owner(data)
        return session
