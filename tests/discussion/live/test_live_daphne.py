"""Against a live Daphne and a real Redis: every kind of event arrives in
order, and a reconnecting client receives exactly what it missed."""

import time

import pytest
from websockets.sync.client import connect

from discussion.comments import services
from discussion.live import tallies
from tests.live_helpers import recv_json

pytestmark = pytest.mark.django_db(transaction=True)


def receive_until(socket, count: int, timeout: float = 10) -> list[dict]:
    received, deadline = [], time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        received.append(recv_json(socket, timeout=max(0.1, deadline - time.monotonic())))
    return received


def test_events_arrive_in_order_and_a_reconnect_replays_exactly_the_gap(
    asgi_live_server, open_proposal, people, make_user, settings
):
    settings.CONSULT_TALLY_WINDOW_SECONDS = tallies.WINDOW_SECONDS
    from discussion.live.events import last_seq

    base = last_seq(open_proposal.pk)
    url = f"ws://{asgi_live_server.host}:{asgi_live_server.port}/ws/proposals/{open_proposal.pk}/"
    origin = asgi_live_server.url
    with connect(url, origin=origin, open_timeout=10) as socket:
        assert recv_json(socket)["type"] == "hello"
        comment = services.comment_create(
            actor=people.citizen, proposal=open_proposal, body="Live one"
        )
        services.comment_edit(actor=people.citizen, comment=comment, body="Live one, edited")
        services.comment_vote(actor=make_user(), comment=comment, value="agree")
        time.sleep(tallies.WINDOW_SECONDS * 2)  # let the tally window close
        services.comment_delete(actor=people.citizen, comment=comment)
        events = receive_until(socket, 4)
    assert [e["type"] for e in events] == [
        "comment.created",
        "comment.edited",
        "comment.tallies",
        "comment.deleted",
    ]
    assert [e["seq"] for e in events] == [base + 1, base + 2, base + 3, base + 4]
    assert "Live one, edited" in events[1]["html"]
    assert events[2]["tallies"] == {str(comment.pk): [1, 0, 0]}
    assert "The author deleted this comment." in events[3]["html"]

    # Offline for a while: three more changes happen.
    for n in range(3):
        services.comment_create(actor=people.citizen, proposal=open_proposal, body=f"missed {n}")
    with connect(f"{url}?since={base + 4}", origin=origin, open_timeout=10) as socket:
        hello = recv_json(socket)
        assert hello["seq"] == base + 7
        missed = receive_until(socket, 3)
        assert [e["seq"] for e in missed] == [base + 5, base + 6, base + 7]
        assert [e["type"] for e in missed] == ["comment.created"] * 3
        # Exactly the gap: nothing repeated, nothing more.
        with pytest.raises(TimeoutError):
            recv_json(socket, timeout=0.5)
