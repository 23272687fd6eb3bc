"""Open sockets end with the session: signing out closes that session's
sockets and leaves the person's other sessions live; a new password closes
them all."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from asgi import application
from tests.conftest import PASSWORD
from tests.live_helpers import close_worker_connection, next_message, nothing_more

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_worker_connection():
    yield
    await close_worker_connection()


def signed_in_client(email: str) -> Client:
    client = Client()
    assert client.login(email=email, password=PASSWORD)
    return client


async def socket_of(client: Client) -> WebsocketCommunicator:
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", cookie.encode()),
    ]
    socket = WebsocketCommunicator(application, "/ws/me/", headers)
    connected, _code = await socket.connect()
    assert connected
    assert (await next_message(socket))["type"] == "notifications"
    return socket


async def closed_with(socket) -> int:
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


async def test_signing_out_closes_that_sessions_sockets_and_a_new_password_closes_all(make_user):
    person = await sync_to_async(make_user)("two.devices@example.org")
    laptop = await sync_to_async(signed_in_client)(person.email)
    phone = await sync_to_async(signed_in_client)(person.email)
    on_laptop, on_phone = await socket_of(laptop), await socket_of(phone)

    await sync_to_async(laptop.post)("/accounts/logout/")
    assert await closed_with(on_laptop) == 4401
    assert await nothing_more(on_phone)

    response = await sync_to_async(phone.post)(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert await closed_with(on_phone) == 4401
