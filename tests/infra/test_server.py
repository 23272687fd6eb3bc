"""The real server: Daphne serving asgi.py, with its WebSocket size limits."""

import json
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from consult.infra.server import WEBSOCKET_MAX_MESSAGE_BYTES
from tests.live_helpers import recv_json


@pytest.fixture
def open_proposal(make_proposal):
    return make_proposal("Live")


def ws_url(server, proposal) -> str:
    return f"ws://{server.host}:{server.port}/ws/proposals/{proposal.pk}/"


def test_daphne_serves_pages_and_health(asgi_live_server):
    with urllib.request.urlopen(f"{asgi_live_server.url}/healthz") as response:  # noqa: S310
        assert json.load(response)["status"] == "ok"
    with urllib.request.urlopen(f"{asgi_live_server.url}/") as response:  # noqa: S310
        assert response.status == 200
        assert "Content-Security-Policy" in response.headers


def test_websocket_from_allowed_origin_connects(asgi_live_server, open_proposal):
    origin = asgi_live_server.url
    with connect(ws_url(asgi_live_server, open_proposal), origin=origin, open_timeout=10) as socket:
        assert recv_json(socket) == {
            "type": "hello",
            "proposal": open_proposal.pk,
            "seq": 0,
        }
        socket.send(json.dumps({"type": "ping"}))
        assert recv_json(socket) == {"type": "pong"}


def test_websocket_from_foreign_origin_is_refused(asgi_live_server, open_proposal):
    with pytest.raises(InvalidStatus) as refused:
        connect(
            ws_url(asgi_live_server, open_proposal), origin="http://evil.example", open_timeout=10
        )
    assert refused.value.response.status_code == 403


def test_websocket_message_over_64_kib_closes_the_connection(asgi_live_server, open_proposal):
    origin = asgi_live_server.url
    with connect(
        ws_url(asgi_live_server, open_proposal), origin=origin, open_timeout=10, max_size=None
    ) as socket:
        socket.recv(timeout=10)
        # Just under the limit still works (a JSON message the consumer answers).
        socket.send(json.dumps({"type": "ping", "pad": "x" * (WEBSOCKET_MAX_MESSAGE_BYTES - 100)}))
        assert recv_json(socket) == {"type": "pong"}
        socket.send("x" * (WEBSOCKET_MAX_MESSAGE_BYTES + 1))
        # Daphne (autobahn) fails such a connection by dropping it.
        with pytest.raises(ConnectionClosed):
            while True:  # presence messages may still be in flight before the drop
                socket.recv(timeout=10)
    # The server itself is unharmed: the next client is served.
    with connect(ws_url(asgi_live_server, open_proposal), origin=origin, open_timeout=10) as socket:
        assert recv_json(socket)["type"] == "hello"
