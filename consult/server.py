"""How Daphne is run: one place for the limits that the tests also use."""

import os
import sys

# A comment is at most a few thousand characters; 64 KiB leaves room for
# JSON and multi-byte text while stopping a client from pinning memory.
WEBSOCKET_MAX_MESSAGE_BYTES = 64 * 1024
WEBSOCKET_MAX_FRAME_BYTES = 64 * 1024


def daphne_command(*, host: str, port: int) -> list[str]:
    # No --proxy-headers: Daphne would take X-Forwarded-For's leftmost entry,
    # which the client writes. asgi.py settles the address (consult/proxies.py).
    return [
        sys.executable, "-m", "daphne",
        "--bind", host,
        "--port", str(port),
        "--websocket-max-message-size", str(WEBSOCKET_MAX_MESSAGE_BYTES),
        "--websocket-max-frame-size", str(WEBSOCKET_MAX_FRAME_BYTES),
        "--application-close-timeout", "10",
        # Daphne's access log writes client addresses and full paths (which
        # may carry an export or unsubscribe link) straight to stdout, past
        # the log filter: the proxy in front keeps access logs, if anyone.
        "--access-log", os.devnull,
        "asgi:application",
    ]  # fmt: skip


def daphne_server_options() -> dict:
    """The same limits as keyword arguments of daphne.server.Server."""
    return {
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
        "websocket_max_frame_size": WEBSOCKET_MAX_FRAME_BYTES,
    }
