"""The moderators' queue, live: one WebSocket per open queue page."""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.models import Role
from consult.infra.refusals import refusal_text
from discussion.live.consumers import (
    CLOSE_FORBIDDEN,
    CLOSE_SIGNED_OUT,
    CLOSE_TRY_AGAIN,
    UNREADABLE,
    LiveConsumer,
    frame_id,
    layer_groups_add,
)
from discussion.live.moderators import moderators_group
from discussion.models import Comment
from discussion.moderation import services as moderation

logger = logging.getLogger(__name__)

NOT_IN_QUEUE = _("That item is not in your queue.")
# A page of the queue selected at once is claimed in one frame.
CLAIMS_PER_FRAME = 50


class ModerationConsumer(LiveConsumer):
    """The moderators' queue, live: joins the queue group of each department
    where the person moderates (changes below those arrive there too, see
    moderators.announce) and forwards the changes untouched. Signed-in moderators
    only; the socket also claims and releases items as they are selected."""

    queue_groups: tuple[str, ...] = ()

    async def connect(self) -> None:
        user = self.scope.get("user")
        departments = []
        if user is not None and user.is_authenticated:
            departments = await database_sync_to_async(roles.granted_department_ids)(
                user_id=user.pk, role=Role.MODERATOR
            )
        if not departments:
            # Accepted first, so that the browser sees why and stops trying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not await self.join_user():
            return
        try:
            await self.accept()
            if not await self._join_queues(departments):
                # Redis away: no live queue until it returns. Closed with a
                # code the browser retries after its pause.
                await self.close(code=CLOSE_TRY_AGAIN)
                return
            await self.send_json({"type": "hello"})
        except Exception:
            await self.abandon()

    async def _join_queues(self, departments: list[int]) -> bool:
        if self.channel_layer is None:
            return False
        groups = tuple(moderators_group(pk) for pk in departments)
        try:
            await layer_groups_add(self.channel_layer, groups, self.channel_name)
        except Exception:
            logger.warning("a moderator's queue socket could not join its groups")
            return False
        self.queue_groups = groups
        return True

    async def disconnect(self, code: int) -> None:
        for group in self.queue_groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # Redis away: the group forgets it with its expiry
                logger.warning("leaving %s failed", group)
        await super().disconnect(code)

    async def queue_changed(self, event: dict) -> None:
        await self.send_json({**event, "type": "queue.changed"})

    async def act(self, content: dict) -> None:
        if content["type"] not in ("queue.claim", "queue.release"):
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        reply = await database_sync_to_async(self._claims)(content)
        await self.send_json(reply)
        if reply.get("code") == CLOSE_SIGNED_OUT:
            await self.close(code=CLOSE_SIGNED_OUT)

    def _claims(self, content: dict) -> dict:
        """Claim or release the items of one frame, each on its own; the reply
        names the ones refused (another moderator has them) and why."""
        ref = content.get("ref") if isinstance(content.get("ref"), str) else None
        with translation.override(self.language()):
            refused = self.refused_for_session(ref)
            if refused is not None:
                return refused
        try:
            ids = _ids(content)
        except (KeyError, TypeError, ValueError):
            return {"type": "error", "ref": ref, "message": str(UNREADABLE)}
        claim = content["type"] == "queue.claim"
        take_over = content.get("take_over") is True
        refused = {}
        with translation.override(self.language()):
            for pk in ids:
                message = _claim_one(self.scope["user"], pk, claim=claim, take_over=take_over)
                if message:
                    refused[str(pk)] = message
        if refused:
            return {
                "type": "error",
                "ref": ref,
                "refused": refused,
                "message": " ".join(dict.fromkeys(refused.values())),
            }
        return {"type": "ok", "ref": ref}


def _ids(content: dict) -> list[int]:
    """The item ids of a claim frame: "comment" (one) or "comments" (a list)."""
    values = content["comments"] if "comments" in content else [content["comment"]]
    if not isinstance(values, list) or not 0 < len(values) <= CLAIMS_PER_FRAME:
        raise ValueError("comments")
    return [frame_id({"id": value}, "id") for value in values]


def _claim_one(user, pk: int, *, claim: bool, take_over: bool) -> str:
    """Nothing when done, else why not."""
    try:
        comment = Comment.objects.get(pk=pk)
        if claim:
            moderation.comment_claim(actor=user, comment=comment, take_over=take_over)
        else:
            moderation.comment_release(actor=user, comment=comment)
    except Comment.DoesNotExist:
        return str(NOT_IN_QUEUE)
    except (ValidationError, PermissionDenied) as error:
        return refusal_text(error)
    return ""
