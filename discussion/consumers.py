"""The live channel of one proposal: one WebSocket per open proposal page."""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from proposals import selectors as proposal_selectors
from proposals.models import Proposal

CLOSE_NOT_FOUND = 4404
UNREADABLE = "Messages must be JSON objects with a type."


class NotFoundConsumer(JsonWebsocketConsumer):
    """Any WebSocket path we do not serve: a clean close, not a server error."""

    def connect(self) -> None:
        self.close(code=CLOSE_NOT_FOUND)


def proposal_group(proposal_id: int) -> str:
    return f"proposal.{proposal_id}"


class ProposalConsumer(JsonWebsocketConsumer):
    """Joins the proposal's group and forwards its events untouched."""

    group: str | None = None

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
        self.accept()
        self.send_json({"type": "hello", "proposal": proposal.pk})

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            self.send_json({"type": "error", "message": UNREADABLE})
            return
        super().receive(text_data=text_data, **kwargs)

    @classmethod
    def decode_json(cls, text_data: str):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            self.send_json({"type": "error", "message": UNREADABLE})
        elif content["type"] == "ping":
            self.send_json({"type": "pong"})
        else:
            self.send_json({"type": "error", "message": UNREADABLE})

    def proposal_event(self, event: dict) -> None:
        self.send_json(event["payload"])
