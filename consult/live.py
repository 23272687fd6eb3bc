"""The seam between a write and the live path, for code below `discussion`.

`proposals` may not import `discussion`, which owns the event log and the
WebSocket consumers. Its services call these functions instead, and the
settings name the functions that do the work (CONSULT_LIVE_*), so the
dependency points down while the behaviour is wired up once, in settings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

# A user's sockets join this group, so that logging out, a password change or
# a suspension can close every one of them wherever it is served.
USER_GROUP = "user.{user_id}"


def emit(*, proposal, type: str, payload: dict) -> None:
    """Append a live event in the caller's transaction (see discussion.events)."""
    import_string(settings.CONSULT_LIVE_EVENT_SINK)(proposal=proposal, type=type, payload=payload)


def stance_changed(*, proposal_id: int) -> None:
    """A stance changed: its tallies go out, coalesced, after commit."""
    sink = import_string(settings.CONSULT_LIVE_STANCE_SINK)
    transaction.on_commit(lambda: sink(proposal_id=proposal_id))


def user_sockets_close(*, user_id: int) -> None:
    """Close every open socket of a user, after commit. Never raises."""
    import logging

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    def close() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            group = USER_GROUP.format(user_id=user_id)
            async_to_sync(layer.group_send)(group, {"type": "user.close"})
        except Exception:
            logging.getLogger(__name__).exception("closing the sockets of user %s failed", user_id)

    transaction.on_commit(close)
