from django.urls import path

from discussion import queue_views, views

app_name = "discussion"

urlpatterns = [
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/vote/", views.comment_vote, name="vote"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="hide"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="restore"),
    path("comments/<int:pk>/respond/", views.comment_respond, name="respond"),
    path("comments/<int:pk>/report/", views.comment_report, name="report"),
    path("moderation/", queue_views.queue_page, name="queue"),
    path("moderation/items/<int:pk>/", queue_views.queue_item, name="queue-item"),
]

# A consultation's moderation pages, under its address (consult/urls.py
# includes these with the consultation's slug), named without a namespace
# like its discussion pages. Imported here so that this block stands alone.
from discussion import log_views  # noqa: E402

consultation_urlpatterns = [
    path("moderation-log/", log_views.moderation_log, name="moderation-log"),
    path("moderation-audit/", log_views.moderation_audit, name="moderation-audit"),
    path("moderation-policy/", log_views.moderation_policy, name="moderation-policy"),
]
