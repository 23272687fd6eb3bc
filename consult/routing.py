"""WebSocket routes of the whole platform (wrapped by asgi.py)."""

from django.urls import re_path

from consult.reports.routing import websocket_urlpatterns as report_routes
from discussion.live.consumers import NotFoundConsumer
from discussion.live.routing import websocket_urlpatterns as discussion_routes

websocket_urlpatterns = [
    *discussion_routes,
    *report_routes,
    # Last: every other path closes with 4404 instead of failing the handshake.
    re_path(r"", NotFoundConsumer.as_asgi()),
]
