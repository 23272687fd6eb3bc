"""The summary's progress, live: officials and moderators of the consultation
watch the background run move through its steps."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404

from consult.reports import rules
from consult.reports.models import SummaryRun
from consult.reports.summary.progress import progress_group, run_message
from discussion.live.consumers import CLOSE_FORBIDDEN, LiveConsumer
from proposals.access import access_proposal
from proposals.models import Proposal


def _admit(user, proposal_id: int) -> dict | None:
    """The latest run's state for a person who may watch it, else None."""
    try:
        proposal = access_proposal(
            user,
            pk=proposal_id,
            queryset=Proposal.objects.select_related("department"),
            may=rules.can_view_summary,
        )
    except (Http404, PermissionDenied):
        return None
    run = SummaryRun.objects.filter(proposal=proposal).defer("result").first()
    return run_message(run) if run else {"run": None, "state": "none"}


class SummaryConsumer(LiveConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        proposal_id = self.scope["url_route"]["kwargs"]["proposal_id"]
        state = None
        if user is not None and user.is_authenticated:
            state = await database_sync_to_async(_admit)(user, proposal_id)
        if state is None:
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not await self.join_user():
            return
        try:
            self.group = progress_group(proposal_id)
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.accept()
            # What happened before this socket joined: nothing is missed.
            await self.send_json({"type": "summary.progress", **state})
        except Exception:
            await self.abandon()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await super().disconnect(code)

    async def summary_progress(self, event: dict) -> None:
        await self.send_json(event)
