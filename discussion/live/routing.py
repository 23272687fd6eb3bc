from django.urls import path

from discussion.live import consumers

websocket_urlpatterns = [
    path("ws/proposals/<int:proposal_id>/", consumers.ProposalConsumer.as_asgi()),
    path("ws/me/", consumers.MeConsumer.as_asgi()),
    path("ws/moderation/", consumers.ModerationConsumer.as_asgi()),
]
