"""The moderators' live channel: changes to the queue go to the moderators
of the consultation's department and of every department above it (each
moderator's socket joins the group of each department where they hold the
role), never to the public channel of the proposal."""

from __future__ import annotations

import logging

from django.db import transaction

from consult.infra.live import group_send
from discussion.models import Comment

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "moderators.{department_id}"


def moderators_group(department_id: int) -> str:
    return MODERATORS_GROUP.format(department_id=department_id)


def announce(comment: Comment, *, change: str, **data) -> None:
    """Tell the moderators responsible for the comment's consultation that its
    place in the queue changed ("held", "reported", "appealed", "claimed",
    "released", "resolved", "edited"), after commit. Never raises: the queue
    page is also right on its next load."""
    department = comment.proposal.department
    groups = [moderators_group(pk) for pk in department.ancestor_ids()]
    message = {
        "type": "queue.changed",
        "comment": comment.pk,
        "proposal": comment.proposal_id,
        "change": change,
        **data,
    }
    transaction.on_commit(lambda: _send(groups, message))


def _send(groups: list[str], message: dict) -> None:
    for group in groups:
        try:
            group_send(group, message)
        except Exception:
            logger.exception("queue change of comment %s not sent", message["comment"])
