"""The live channel of one proposal: one WebSocket per open proposal page.

Joins the proposal's group and forwards its events untouched: the event
arrives from the channel layer already encoded and goes straight out. Only
the actions (posting, voting) and the start of a connection touch the
database, in a worker thread, through the same services as the plain forms.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation

from consult.infra.ratelimit import RateLimited
from consult.infra.refusals import refusal_text
from discussion.comments import limits, marks, places, services
from discussion.live import presence, recovery
from discussion.live.batches import in_batch
from discussion.live.consumers import (
    CLOSE_NOT_FOUND,
    CLOSE_SIGNED_OUT,
    CLOSE_TOO_MANY,
    LAYER_TIMEOUT,
    UNREADABLE,
    LiveConsumer,
    frame_id,
    off_loop,
)
from discussion.live.events import proposal_group
from discussion.live.heartbeats import beats
from discussion.live.hub import hub
from discussion.live.openings import Ask, opening
from discussion.live.recovery import frame_seq
from discussion.models import Comment
from proposals.access import access_proposal
from proposals.models import Proposal

logger = logging.getLogger(__name__)
_announcements: set[asyncio.Task] = set()


class ProposalConsumer(LiveConsumer):
    """Joins the proposal's group and forwards its events untouched."""

    group: str | None = None
    proposal_id: int | None = None
    reader_language: str = ""
    # The last event number sent to this socket by its opening or a catch-up.
    sent_seq: int = 0
    opened: bool = False
    # Opened while Redis was away: not yet receiving live events.
    detached: bool = False

    async def connect(self) -> None:
        proposal_id = self.scope["url_route"]["kwargs"]["proposal_id"]
        self.group = proposal_group(proposal_id)
        self.proposal_id = proposal_id
        # Fragments come in this reader's language only (see events.encoded).
        self.reader_language = self.language()
        user = self.scope.get("user")
        signed_in = user is not None and user.is_authenticated
        # Join before reading the sequence, so no event falls between state
        # and stream; what arrives meanwhile waits behind the hello and replay.
        self.hold()
        await self._join()
        try:
            ask = Ask(proposal_id, self._since(), user.pk if signed_in else None)
            opened = await opening(ask)
        except Exception:
            await self.accept()
            await self.abandon()
            return
        if not opened.public:
            await self._leave()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not await self.join_user():
            return
        try:
            await self.accept()
            await self._greet(opened, user)
            await self.release()
            await self._presence(joined=True)
        except Exception:
            await self.abandon()

    async def _greet(self, opened, user) -> None:
        hello = {"type": "hello", "proposal": self.proposal_id, "seq": opened.seq}
        if self.user_group or (user is not None and user.is_authenticated):
            # Which comments are this reader's own: their mark, never their id.
            hello["me"] = marks.author_mark(proposal_id=self.proposal_id, user=user)
        if opened.unread is not None:
            # Notifications that arrived while this page was away from the channel.
            hello["unread"] = opened.unread
        await self.send_json(hello)
        self.sent_seq = opened.seq
        await self._replay(opened.missed)

    async def _replay(self, missed: list[dict] | None) -> None:
        if missed is None:
            await self.send_json({"type": "reload"})
            return
        for event in missed:
            await self.send_json(_in_language(event, self.reader_language))
            self.sent_seq = max(self.sent_seq, event["seq"])

    def hold(self) -> None:
        """Live events wait instead of going out (the hub writes to
        `base_send`): until the hello and the replay have gone, a reader
        would take them for a gap and reconnect, again and again in a herd."""
        if self.base_send is self.transport:
            self.held = collections.deque()
            self.base_send = self._held

    async def _held(self, message: dict) -> None:
        self.held.append(message)

    async def release(self) -> None:
        """Send what waited, less what the replay already carried, and let
        live events through again."""
        while self.held:
            message = self.held.popleft()
            seq = frame_seq(message.get("text") or "")
            if seq is not None:
                if seq <= self.sent_seq:
                    continue
                self.sent_seq = seq
            await self.transport(message)
        # No await between the last check and this: nothing can slip in.
        self.base_send = self.transport
        self.opened = True

    async def catch_up(self, tail: recovery.Tail) -> None:
        """Redis is back: replay from the log what this reader missed, after
        the last event it was sent (see recovery)."""
        if not self.opened:
            return  # still opening: its own read is after Redis returned
        self.hold()
        try:
            since = max(self.sent_seq, tail.seq)
            self.sent_seq = since
            opened = await opening(Ask(proposal_id=self.proposal_id, since=since, user_id=None))
            await self._replay(opened.missed)
        finally:
            await self.release()

    async def _join(self) -> None:
        try:
            await asyncio.wait_for(hub().join(self.group, self), LAYER_TIMEOUT)
        except Exception:
            # Redis away: served from the event log now, joined when it returns.
            logger.warning("live events of %s unavailable: the channel layer failed", self.group)
            self.detached = True
            recovery.registry().lost()
        tail = recovery.registry().add(self.group, self)
        if tail is not None:
            try:
                await asyncio.wait_for(hub().join(self.group, tail), LAYER_TIMEOUT)
            except Exception:  # joined when Redis returns (recovery.Registry.recover)
                recovery.registry().lost()

    async def _leave(self) -> None:
        group, self.group = self.group, None
        await hub().leave(group, self)
        tail = recovery.registry().remove(group, self)
        if tail is not None:
            await hub().leave(group, tail)

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return max(0, int(query["since"][0]))
        except (KeyError, ValueError, IndexError):
            return None

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self._presence(joined=False)
            await self._leave()
        await super().disconnect(code)

    async def _presence(self, *, joined: bool) -> None:
        if joined:
            # With the other sockets opening now, in one round trip.
            ask = (self.proposal_id, self.channel_name, self.viewer())
            announce = await in_batch(presence.joined_all, ask, off_loop)
        else:
            # A leave goes after any write of the socket's pings (heartbeats).
            viewer = self.viewer()
            announce = await beats().after_pings(
                presence.record, self.proposal_id, self.channel_name, viewer=viewer, joined=False
            )
        if announce:
            task = asyncio.ensure_future(
                _announce_viewers(get_channel_layer(), self.group, self.proposal_id)
            )
            _announcements.add(task)
            task.add_done_callback(_announcements.discard)

    async def proposal_viewers(self, event: dict) -> None:
        # Presence is ephemeral: no sequence number, never replayed.
        await self.send_json({"type": "viewers", "count": event.get("count")})

    async def proposal_event(self, event: dict) -> None:
        # Encoded once by the sender, for every listener. (A process still
        # running the previous release sends the payload unencoded.)
        text = event.get("text")
        if text is None:
            text = json.dumps(event.get("payload") or {}, separators=(",", ":"))
        await self.send(text_data=text)

    async def pinged(self) -> None:
        await super().pinged()
        # A ping keeps the socket counted; it changes no count, so it announces nothing.
        beats().viewer_heard(
            self.proposal_id, self.viewer() or self.channel_name, self.channel_name
        )

    async def act(self, content: dict) -> None:
        """Post and vote over the socket: the same services as the plain forms.
        The result reaches everyone (this client too) as an event."""
        action = ACTIONS.get(content["type"])
        if action is None:
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        reply = await database_sync_to_async(self._act)(action, content)
        await self.send_json(reply)
        if reply.get("code") in (CLOSE_TOO_MANY, CLOSE_SIGNED_OUT):
            await self.close(code=reply["code"])

    def _act(self, action, content: dict) -> dict:
        user = self.scope.get("user")
        ref = content.get("ref")
        client = self.scope.get("client") or (None, None)
        with translation.override(self.language()):
            refused = self.refused_for_session(ref)
            if refused is not None:
                return refused
            try:
                extra = action(self, user, content, client[0])
            except RateLimited as error:
                return {
                    "type": "error",
                    "ref": ref,
                    "code": CLOSE_TOO_MANY,
                    "retry_after": error.retry_after,
                    "message": refusal_text(error),
                }
            except (ValidationError, PermissionDenied) as error:
                reply = {"type": "error", "ref": ref, "message": refusal_text(error)}
                if getattr(error, "code", None) in limits.REDRAW_CODES:
                    # The page's token was refused: here is a new one to send with.
                    reply["started"] = limits.fill_token()
                return reply
            except (
                ObjectDoesNotExist,
                Http404,
                KeyError,
                TypeError,
                ValueError,
                OverflowError,
            ):
                return {"type": "error", "ref": ref, "message": str(UNREADABLE)}
        return {"type": "ok", "ref": ref, **(extra or {})}


async def _announce_viewers(layer, group: str, proposal_id: int) -> None:
    await asyncio.sleep(presence.window_seconds())
    count = await off_loop(presence.count)(proposal_id)
    if count is not None:
        try:
            await layer.group_send(group, {"type": "proposal.viewers", "count": count})
        except Exception:  # the count is a courtesy; the next change sends it again
            logger.warning("viewer count for proposal %s not sent", proposal_id)


def _in_language(event: dict, language: str) -> dict:
    """A replayed event as the live one was sent: its fragment in one language."""
    html = event.get("html")
    if isinstance(html, dict):
        return {**event, "html": html.get(language) or html.get(settings.LANGUAGE_CODE, "")}
    return event


def _text(content: dict, key: str) -> str:
    value = content.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _optional_text(content: dict, key: str) -> str:
    value = content.get(key, "")
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _post(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> dict:
    section_id, question_id, parent_id = (
        frame_id(content, key) for key in ("section", "question", "parent")
    )
    body = _text(content, "body")
    human = limits.HumanCheck(
        started=_optional_text(content, "started"), honeypot=_optional_text(content, "website")
    )
    proposal = access_proposal(user, pk=consumer.proposal_id, queryset=Proposal.objects.all())
    place = places.comment_place(
        proposal=proposal, section_id=section_id, question_id=question_id, parent_id=parent_id
    )
    comment = services.comment_submit(
        actor=user,
        ip=ip,
        proposal=proposal,
        body=body,
        place=place,
        human=human,
        key=_optional_text(content, "key"),
    )
    # The comment stored, also when this was the same post sent again (its key).
    posted = {"comment": {"id": comment.pk, "url": comment.url_in_context()}}
    if comment.is_held:
        # No event goes out: only its author sees it, marked as awaiting review.
        return {
            "held": {
                "id": comment.pk,
                "parent": comment.parent_id,
                "section": comment.section_id,
                "question": comment.question_id,
                "depth": comment.depth,
                "html": render_to_string(
                    "discussion/_comment.html", {"comment": comment, "live": True}
                ),
            },
            **posted,
        }
    return posted


def _vote(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> None:
    comment = Comment.objects.get(pk=frame_id(content, "comment"), proposal_id=consumer.proposal_id)
    value = _text(content, "value")
    services.vote_submit(actor=user, ip=ip, comment=comment, value=value)


def _vote_withdraw(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> None:
    comment = Comment.objects.get(pk=frame_id(content, "comment"), proposal_id=consumer.proposal_id)
    services.vote_withdraw_submit(actor=user, ip=ip, comment=comment)


ACTIONS = {"comment.post": _post, "comment.vote": _vote, "comment.vote_withdraw": _vote_withdraw}
