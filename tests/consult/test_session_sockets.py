"""Open sockets end with the session: signing out closes that session's
sockets and leaves the person's other sessions live; a new password closes
them all."""

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import PASSWORD
from tests.live_helpers import (
    close_worker_connection,
    closed_with,
    me_socket,
    nothing_more,
    signed_in_client,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_worker_connection():
    yield
    await close_worker_connection()


async def test_signing_out_closes_that_sessions_sockets_and_a_new_password_closes_all(make_user):
    person = await sync_to_async(make_user)("two.devices@example.org")
    laptop = await sync_to_async(signed_in_client)(person.email)
    phone = await sync_to_async(signed_in_client)(person.email)
    on_laptop, on_phone = await me_socket(laptop), await me_socket(phone)

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
