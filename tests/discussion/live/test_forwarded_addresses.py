"""Behind a proxy, the socket's per-address limits count the address the
trusted proxy saw, not one the client wrote into X-Forwarded-For."""

import ipaddress

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from asgi import application
from tests.live_helpers import human, next_message, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _one_trusted_proxy(settings):
    settings.CONSULT_TRUSTED_PROXY_HOPS = 1
    settings.CONSULT_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    settings.CONSULT_RATE_LIMITS = {"comment": {"user": [], "ip": ["1/60"]}}


async def post_over_socket(proposal, section, user, *, peer: str, forwarded_for: str) -> dict:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"x-forwarded-for", forwarded_for.encode()),
    ]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{proposal.pk}/", headers)
    socket.scope["client"] = (peer, 50000)
    sign_in(socket, user)
    connected, _ = await socket.connect()
    assert connected
    await next_message(socket)  # hello
    body = f"said from {forwarded_for}"
    await socket.send_json_to(
        {**human(), "type": "comment.post", "body": body, "section": section.pk, "ref": "r"}
    )
    while (reply := await next_message(socket)).get("ref") != "r":
        pass
    await socket.disconnect()
    return reply


async def test_a_forged_leftmost_address_does_not_buy_another_comment(
    open_proposal, section, make_user
):
    people = [await sync_to_async(make_user)() for _ in range(3)]

    async def post(person, forwarded_for: str) -> dict:
        return await post_over_socket(
            open_proposal, section, person, peer="127.0.0.1", forwarded_for=forwarded_for
        )

    assert (await post(people[0], "198.51.100.1, 203.0.113.7"))["type"] == "ok"
    forged = await post(people[1], "198.51.100.2, 203.0.113.7")
    assert forged["type"] == "error" and forged["code"] == 4429
    # Another client behind the proxy is counted apart, whatever it claims.
    assert (await post(people[2], "198.51.100.1, 203.0.113.8"))["type"] == "ok"


async def test_a_peer_that_is_not_the_proxy_is_counted_as_itself(open_proposal, section, make_user):
    people = [await sync_to_async(make_user)() for _ in range(2)]
    first = await post_over_socket(
        open_proposal, section, people[0], peer="192.0.2.50", forwarded_for="203.0.113.20"
    )
    assert first["type"] == "ok"
    second = await post_over_socket(
        open_proposal, section, people[1], peer="192.0.2.50", forwarded_for="203.0.113.21"
    )
    assert second["type"] == "error" and second["code"] == 4429
