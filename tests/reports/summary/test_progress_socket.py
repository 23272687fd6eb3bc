"""The summary's progress socket: who may listen, what a late joiner gets,
and the progress of a real run arriving over the channel layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from asgi import application
from consult.reports.models import SummaryRun
from consult.reports.summary.running import summary_compute
from discussion.comments import services as discussion_services
from tests.live_helpers import next_message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker_connection_closed"),
]

HEADERS = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]


def socket_for(proposal, user=None) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/summary/{proposal.pk}/", HEADERS)
    if user is not None:
        socket.scope["user"] = user
    return socket


@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_official"])
async def test_only_its_officials_and_moderators_may_listen(open_proposal, people, who):
    socket = socket_for(open_proposal, None if who == "anonymous" else getattr(people, who))
    connected, _code = await socket.connect()
    assert connected
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_an_unknown_consultation_is_refused(people):
    socket = WebsocketCommunicator(application, "/ws/summary/999999/", HEADERS)
    socket.scope["user"] = people.official
    await socket.connect()
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_late_joiner_gets_the_state_and_then_every_step(open_proposal, people):
    for i, text in enumerate(["Slower traffic please.", "More crossings.", "Fewer cars."]):
        await sync_to_async(discussion_services.comment_create)(
            actor=people.citizen if i == 0 else people.moderator,
            proposal=open_proposal,
            body=text,
        )
    moderator = socket_for(open_proposal, people.moderator)
    connected, _code = await moderator.connect()
    assert connected
    first = await next_message(moderator)
    assert first == {"type": "summary.progress", "run": None, "state": "none"}

    run = await sync_to_async(SummaryRun.objects.create)(proposal=open_proposal)
    await sync_to_async(summary_compute)(run_id=run.pk)
    seen = []
    while not seen or seen[-1]["state"] != "done":
        message = await next_message(moderator, timeout=10)
        if message["type"] == "summary.progress":
            seen.append(message)
    assert seen[0]["state"] == "running"
    assert [m["progress"] for m in seen] == sorted(m["progress"] for m in seen)
    assert seen[-1]["progress"] == 100 and all(m["run"] == run.pk for m in seen)
    await moderator.disconnect()

    late = socket_for(open_proposal, people.official)
    await late.connect()
    state = await next_message(late)
    assert (state["run"], state["state"], state["progress"]) == (run.pk, "done", 100)
    await late.disconnect()


async def test_a_drafts_socket_is_for_its_officials_not_its_moderators(published, people):
    """A draft is its officials' alone: its moderator's socket is refused
    before anything of it is sent; its official's is admitted."""
    moderator = socket_for(published, people.moderator)
    connected, _code = await moderator.connect()
    assert connected
    assert await moderator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}

    official = socket_for(published, people.official)
    await official.connect()
    assert await next_message(official) == {
        "type": "summary.progress",
        "run": None,
        "state": "none",
    }
    await official.disconnect()
