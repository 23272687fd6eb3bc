"""The live channel of one proposal: one WebSocket per open proposal page."""

import json
from urllib.parse import parse_qs

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.live import USER_GROUP
from discussion import events, presence, services
from discussion.events import proposal_group
from discussion.models import Comment
from proposals import selectors as proposal_selectors
from proposals.models import Proposal

CLOSE_NOT_FOUND = 4404
CLOSE_SIGNED_OUT = 4401
UNREADABLE = _("Messages must be JSON objects with a type.")


class NotFoundConsumer(JsonWebsocketConsumer):
    """Any WebSocket path we do not serve: a clean close, not a server error."""

    def connect(self) -> None:
        self.close(code=CLOSE_NOT_FOUND)


class ProposalConsumer(JsonWebsocketConsumer):
    """Joins the proposal's group and forwards its events untouched."""

    group: str | None = None
    user_group: str | None = None
    proposal_id: int | None = None

    def connect(self) -> None:
        proposal_id = self.scope["url_route"]["kwargs"]["proposal_id"]
        try:
            proposal = proposal_selectors.proposal_public_queryset().get(pk=proposal_id)
        except Proposal.DoesNotExist:
            self.close(code=CLOSE_NOT_FOUND)
            return
        # Join before sending anything, so no event falls between state and stream.
        self.group = proposal_group(proposal.pk)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            # So that a suspension or a logout can close this socket.
            self.user_group = USER_GROUP.format(user_id=user.pk)
            async_to_sync(self.channel_layer.group_add)(self.user_group, self.channel_name)
        self.proposal_id = proposal.pk
        self.accept()
        self.send_json(
            {"type": "hello", "proposal": proposal.pk, "seq": events.last_seq(proposal.pk)}
        )
        since = self._since()
        if since is not None:
            missed = events.events_since(proposal_id=proposal.pk, seq=since)
            if missed is None:
                self.send_json({"type": "reload"})
            for event in missed or []:
                self.send_json(event)
        self._presence(joined=True)

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return max(0, int(query["since"][0]))
        except (KeyError, ValueError, IndexError):
            return None

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)
            self._presence(joined=False)
        if self.user_group:
            async_to_sync(self.channel_layer.group_discard)(self.user_group, self.channel_name)

    def _presence(self, *, joined: bool) -> None:
        count = presence.update(self.proposal_id, self.channel_name, joined=joined)
        if count is not None:
            async_to_sync(self.channel_layer.group_send)(
                self.group, {"type": "proposal.viewers", "count": count}
            )

    def proposal_viewers(self, event: dict) -> None:
        # Presence is ephemeral: no sequence number, never replayed.
        self.send_json({"type": "viewers", "count": event["count"]})

    def user_close(self, event: dict) -> None:
        self.close(code=CLOSE_SIGNED_OUT)

    def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        with translation.override(self._language()):
            super().receive(text_data=text_data, **kwargs)

    def _language(self) -> str:
        """The reader's language, from the cookie the language switcher sets."""
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        codes = {code for code, _name in settings.LANGUAGES}
        return chosen if chosen in codes else settings.LANGUAGE_CODE

    @classmethod
    def decode_json(cls, text_data: str):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            self.send_json({"type": "error", "message": str(UNREADABLE)})
        elif content["type"] == "ping":
            presence.update(self.proposal_id, self.channel_name, joined=True)
            self.send_json({"type": "pong"})
        elif content["type"] in ACTIONS:
            self._act(content)
        else:
            self.send_json({"type": "error", "message": str(UNREADABLE)})

    def _act(self, content: dict) -> None:
        """Post and vote over the socket: the same services as the plain forms.
        The result reaches everyone (this client too) as an event."""
        user = self.scope.get("user")
        ref = content.get("ref")
        try:
            ACTIONS[content["type"]](self, user, content)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [])) or str(error)
            self.send_json({"type": "error", "ref": ref, "message": text})
        except (
            Comment.DoesNotExist,
            Proposal.DoesNotExist,
            ObjectDoesNotExist,
            KeyError,
            TypeError,
            ValueError,
            OverflowError,
        ):
            self.send_json({"type": "error", "ref": ref, "message": str(UNREADABLE)})
        else:
            self.send_json({"type": "ok", "ref": ref})

    def proposal_event(self, event: dict) -> None:
        self.send_json(event["payload"])


def _id(content: dict, key: str) -> int | None:
    """An id from a frame: absent, or a whole number; anything else is unreadable."""
    value = content.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(key)
    return value


def _text(content: dict, key: str) -> str:
    value = content.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _post(consumer: ProposalConsumer, user, content: dict) -> None:
    proposal = Proposal.objects.get(pk=consumer.proposal_id)
    parent_id, section_id, question_id = (
        _id(content, k) for k in ("parent", "section", "question")
    )
    parent = Comment.objects.get(pk=parent_id, proposal=proposal) if parent_id else None
    section = proposal.sections.get(pk=section_id) if section_id else None
    question = proposal.questions.get(pk=question_id) if question_id else None
    services.comment_create(
        actor=user,
        proposal=proposal,
        body=_text(content, "body"),
        section=section,
        question=question,
        parent=parent,
    )


def _vote(consumer: ProposalConsumer, user, content: dict) -> None:
    comment = Comment.objects.get(pk=_id(content, "comment"), proposal_id=consumer.proposal_id)
    services.comment_vote(actor=user, comment=comment, value=_text(content, "value"))


ACTIONS = {"comment.post": _post, "comment.vote": _vote}
