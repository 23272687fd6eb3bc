from django.urls import path

from discussion.live import consumers, moderation_consumer, proposal_consumer

websocket_urlpatterns = [
    path("ws/proposals/<int:proposal_id>/", proposal_consumer.ProposalConsumer.as_asgi()),
    path("ws/me/", consumers.MeConsumer.as_asgi()),
    path("ws/moderation/", moderation_consumer.ModerationConsumer.as_asgi()),
]
