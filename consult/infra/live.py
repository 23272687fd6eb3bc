"""The seam between a write and the live path, for code below `discussion`.

`proposals` may not import `discussion`, which owns the event log and the
WebSocket consumers. Its services call these functions instead, and the
settings name the functions that do the work (CONSULT_LIVE_*), so the
dependency points down while the behaviour is wired up once, in settings.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

# A user's sockets join this group, so that logging out, a password change or
# a suspension can close every one of them wherever it is served.
USER_GROUP = "user.{user_id}"
# And this one, so that signing out closes the sockets of that session only.
SESSION_GROUP = "session.{digest}"


def session_group(session_key: str) -> str:
    import hashlib

    return SESSION_GROUP.format(digest=hashlib.sha256(session_key.encode()).hexdigest()[:40])


def emit(*, proposal, type: str, payload: dict) -> None:
    """Append a live event in the caller's transaction (see discussion.live.events)."""
    import_string(settings.CONSULT_LIVE_EVENT_SINK)(proposal=proposal, type=type, payload=payload)


def last_seq(proposal_id: int) -> int:
    """The proposal's latest event number: a page drawn now asks its socket
    for everything after it, so nothing falls between drawing and connecting."""
    return import_string(settings.CONSULT_LIVE_LAST_SEQ)(proposal_id)


def stance_changed(*, proposal_id: int) -> None:
    """A stance changed: its tallies go out, coalesced, after commit."""
    sink = import_string(settings.CONSULT_LIVE_STANCE_SINK)
    transaction.on_commit(lambda: sink(proposal_id=proposal_id))


def user_event(*, user_id: int, type: str, **data) -> None:
    """Send a message to every open socket of one person, now. Never raises:
    what it carries is also on the next page they load."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(USER_GROUP.format(user_id=user_id), {"type": type, **data})
    except Exception:
        logging.getLogger(__name__).exception("%s to the sockets of user %s failed", type, user_id)


def user_sockets_close(*, user_id: int) -> None:
    """Close every open socket of a user, after commit. Never raises."""
    transaction.on_commit(lambda: user_event(user_id=user_id, type="user.close"))


def session_sockets_close(*, session_key: str) -> None:
    """Close the open sockets of one signed-in session (its other sessions stay live)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(session_group(session_key), {"type": "user.close"})
    except Exception:
        logging.getLogger(__name__).exception("closing the sockets of a session failed")
