"""Reading live messages in tests. Presence ("viewers") messages come and go
with every connection and say nothing about the events under test."""

import json
import time


async def next_message(socket, timeout: float = 5) -> dict:
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message.get("type") != "viewers":
            return message


async def nothing_more(socket, timeout: float = 0.3) -> bool:
    """True when nothing but presence arrives within the timeout."""
    while not await socket.receive_nothing(timeout=timeout):
        message = await socket.receive_json_from()
        if message.get("type") != "viewers":
            return False
    return True


def recv_json(socket, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(0.05, deadline - time.monotonic())))
        if message.get("type") != "viewers":
            return message


async def close_worker_connection() -> None:
    """Close the database connection of the thread that runs async tests' ORM
    calls; otherwise it outlives the test and holds the test database open."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    # Looked up inside the worker thread: connections are per thread.
    await sync_to_async(lambda: connections.close_all())()


def human(**data) -> dict:
    """Form data as a person sends it: the honeypot empty and the form drawn a
    minute ago (see discussion.comments.limits.check_human)."""
    import time

    from discussion.comments.limits import fill_token

    return {"started": fill_token(time.time() - 60), "website": "", **data}


def signed_in_client(email: str):
    """A test client signed in with the shared test password."""
    from django.test import Client

    from tests.conftest import PASSWORD

    client = Client()
    assert client.login(email=email, password=PASSWORD)
    return client


def cookie_socket(path: str, cookie: str):
    """A socket to `path` from this site's pages, sent with a session cookie."""
    from channels.testing import WebsocketCommunicator

    from asgi import application

    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", cookie.encode()),
    ]
    return WebsocketCommunicator(application, path, headers)


async def me_socket(client):
    """The person's own socket (/ws/me/), opened with the client's session."""
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    socket = cookie_socket("/ws/me/", cookie)
    connected, _code = await socket.connect()
    assert connected
    assert (await next_message(socket))["type"] == "notifications"
    return socket


async def closed_with(socket) -> int:
    """Wait for the socket to be closed; its close code."""
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


def session_cookie(user) -> str:
    """A real stored session of `user`, as signing in makes one; its cookie.
    Made in a thread of its own, so that async tests may call it too."""
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connections
    from django.test import Client

    def make() -> str:
        try:
            client = Client()
            client.force_login(user)
            name = settings.SESSION_COOKIE_NAME
            return f"{name}={client.cookies[name].value}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(make).result()


def sign_in(communicator, user):
    """Open the socket as `user`, with a session of theirs as a browser would:
    the socket acts only while that session lasts."""
    communicator.scope["headers"] = [
        *communicator.scope["headers"],
        (b"cookie", session_cookie(user).encode()),
    ]
    return communicator
