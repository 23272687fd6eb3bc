from django.urls import path

from consult.reports import consumers

websocket_urlpatterns = [
    path("ws/summary/<int:proposal_id>/", consumers.SummaryConsumer.as_asgi()),
]
