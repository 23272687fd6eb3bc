from django.urls import path

import proposals.urls  # noqa: F401 - registers the uslug path converter
from discussion.comments import views
from discussion.moderation import (
    appeal_views,
    curation_views,
    log_views,
    queue_views,
    sanction_views,
)
from discussion.responses import views as response_views
from discussion.submissions import staff_views as submission_staff_views
from discussion.submissions import views as submission_views

app_name = "discussion"

urlpatterns = [
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/vote/", views.comment_vote, name="vote"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="hide"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="restore"),
    path("comments/<int:pk>/respond/", response_views.comment_respond, name="respond"),
    path("comments/<int:pk>/report/", views.comment_report, name="report"),
    # Officials answering many comments, a section or a theme at once.
    path("consultations/<uslug:slug>/respond/", response_views.respond_bulk, name="respond-bulk"),
    # The response form: a person's own response, and staff entering one
    # that arrived by post, email, phone or at a meeting.
    path("consultations/<uslug:slug>/form/", submission_views.response_form, name="form"),
    path(
        "consultations/<uslug:slug>/form/enter/", submission_views.response_entry, name="form-entry"
    ),
    path(
        "consultations/<uslug:slug>/form/conditions.css",
        submission_views.form_conditions,
        name="form-conditions",
    ),
    path("moderation/", queue_views.queue_page, name="queue"),
    path("moderation/items/<int:pk>/", queue_views.queue_item, name="queue-item"),
    path("moderation/answers/<int:pk>/", queue_views.queue_answer, name="queue-answer"),
    # Curation, appeals and sanctions (discussion/moderation/curation_views.py,
    # appeal_views.py, sanction_views.py).
    path("comments/<int:pk>/highlight/", curation_views.comment_highlight, name="highlight"),
    path("comments/<int:pk>/unhighlight/", curation_views.comment_unhighlight, name="unhighlight"),
    path("comments/<int:pk>/pin/", curation_views.comment_pin, name="pin"),
    path("comments/<int:pk>/unpin/", curation_views.comment_unpin, name="unpin"),
    path("comments/<int:pk>/themes/add/", curation_views.comment_theme_add, name="theme-add"),
    path(
        "comments/<int:pk>/themes/remove/",
        curation_views.comment_theme_remove,
        name="theme-remove",
    ),
    path("comments/<int:pk>/duplicate/", curation_views.comment_duplicate, name="duplicate"),
    path(
        "comments/<int:pk>/duplicate/remove/",
        curation_views.comment_unduplicate,
        name="unduplicate",
    ),
    path("comments/<int:pk>/appeal/", appeal_views.appeal, name="appeal"),
    path("comments/<int:pk>/appeal/decide/", appeal_views.appeal_decide, name="appeal-decide"),
    path("people/<int:pk>/", sanction_views.person, name="person"),
    path("people/<int:pk>/suspend/", sanction_views.person_suspend, name="person-suspend"),
    path("people/<int:pk>/ban/", sanction_views.person_ban, name="person-ban"),
    path("people/<int:pk>/lift/", sanction_views.person_lift, name="person-lift"),
    # Officials and data entry clerks: responses received outside the website.
    path("responses/enter/", submission_staff_views.form_entry_list, name="form-entry-list"),
]

# A consultation's moderation pages, under its address (consult/urls.py
# includes these with the consultation's slug), named without a namespace
# like its discussion pages.

consultation_urlpatterns = [
    path("moderation-log/", log_views.moderation_log, name="moderation-log"),
    path("moderation-audit/", log_views.moderation_audit, name="moderation-audit"),
    path("moderation-policy/", log_views.moderation_policy, name="moderation-policy"),
]
