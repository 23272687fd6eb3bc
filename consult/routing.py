"""WebSocket routes of the whole platform (wrapped by asgi.py)."""

from discussion.routing import websocket_urlpatterns as discussion_routes

websocket_urlpatterns = [*discussion_routes]
