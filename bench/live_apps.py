"""The two baselines the live benchmarks run beside the platform.

    .venv/bin/python bench/live_apps.py websockets --port 8001

`websockets`: the ceiling, a plain asyncio server on the `websockets` library
that sends every message it receives to every connected client at once, and
answers a browser's keep-alive ping with a pong to that client alone.

`tutorial_application`: the pattern of the Channels tutorial, served by Daphne
(`daphne live_apps:tutorial_application`, with bench/ on the path): an
AsyncWebsocketConsumer that joins one group on connect and group_sends every
message it receives, behind the same Origin check and auth stack as asgi.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal

PING, PONG = '{"type":"ping"}', '{"type":"pong"}'


async def serve_websockets(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    clients = set()

    async def handler(websocket) -> None:
        clients.add(websocket)
        try:
            async for message in websocket:
                if message == PING:
                    await websocket.send(PONG)
                else:
                    broadcast(clients, message)
        finally:
            clients.discard(websocket)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # No compression, as Daphne does none.
    async with serve(handler, "127.0.0.1", port, compression=None, max_size=2**20):
        await stop


def tutorial() -> object:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "live_settings")
    import django

    django.setup()
    from channels.auth import AuthMiddlewareStack
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.urls import path

    class ChatConsumer(AsyncWebsocketConsumer):
        group = "chat"

        async def connect(self) -> None:
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.accept()

        async def disconnect(self, code: int) -> None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None) -> None:
            message = json.loads(text_data)
            await self.channel_layer.group_send(
                self.group, {"type": "chat.message", "message": message}
            )

        async def chat_message(self, event: dict) -> None:
            await self.send(text_data=json.dumps(event["message"]))

    return ProtocolTypeRouter(
        {
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter([path("ws/chat/", ChatConsumer.as_asgi())]))
            )
        }
    )


def __getattr__(name: str) -> object:
    # Built on first use, so that the websockets server never sets up Django.
    if name == "tutorial_application":
        application = tutorial()
        globals()[name] = application
        return application
    raise AttributeError(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", choices=["websockets"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve_websockets(args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
