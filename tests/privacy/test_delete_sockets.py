"""Deleting an account closes every open socket of the person, on every device."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from asgi import application
from tests.conftest import PASSWORD
from tests.live_helpers import closed_with, me_socket, nothing_more, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)


async def test_deleting_an_account_closes_its_sockets_everywhere_and_no_one_elses(make_user):
    person = await sync_to_async(make_user)("leaving@example.org")
    other = await sync_to_async(make_user)("staying@example.org")
    laptop = await sync_to_async(signed_in_client)(person.email)
    phone = await sync_to_async(signed_in_client)(person.email)
    theirs = await sync_to_async(signed_in_client)(other.email)
    on_laptop, on_phone, on_theirs = (
        await me_socket(laptop),
        await me_socket(phone),
        await me_socket(theirs),
    )

    response = await sync_to_async(laptop.post)("/accounts/privacy/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert await closed_with(on_laptop) == 4401
    assert await closed_with(on_phone) == 4401
    assert await nothing_more(on_theirs)
    await on_theirs.disconnect()

    # And the phone's session cannot open a new one.
    socket = WebsocketCommunicator(
        application,
        "/ws/me/",
        [
            (b"host", b"127.0.0.1"),
            (b"origin", b"http://127.0.0.1"),
            (
                b"cookie",
                f"{settings.SESSION_COOKIE_NAME}="
                f"{phone.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
            ),
        ],
    )
    connected, _code = await socket.connect()
    assert not connected
