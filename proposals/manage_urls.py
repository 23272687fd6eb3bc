from django.urls import path
from django.views.generic import RedirectView

from proposals import manage_views as views
from proposals.questionnaire import views as form_views

app_name = "manage"

# The dashboard (`manage:dashboard`, at "") reads the discussion and the reports,
# floors above this one: consult/urls.py adds it from consult/reports/workspace_views.py.
urlpatterns = [
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_manage, name="proposal"),
    path("<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_id>/move/", views.section_move, name="section_move"),
    path("<int:pk>/sections/<int:section_id>/remove/", views.section_remove, name="section_remove"),
    path("<int:pk>/publish/", views.version_publish, name="publish"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/close/", views.close_early, name="close"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.proposal_delete, name="delete"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/translation/",
        views.attachment_translate,
        name="attachment_translate",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    # The response form's builder (proposals/questionnaire/views.py).
    path("<int:pk>/form/", form_views.form_builder, name="form"),
    path("<int:pk>/form/add/", form_views.question_add, name="form_add"),
    path("<int:pk>/form/<int:question_id>/", form_views.question_edit, name="form_question"),
    path("<int:pk>/form/<int:question_id>/move/", form_views.question_move, name="form_move"),
    path("<int:pk>/form/<int:question_id>/remove/", form_views.question_remove, name="form_remove"),
    # Entering responses received outside the website is open to data entry
    # clerks too, so its list lives with the responses (discussion/submissions).
    path(
        "responses/",
        RedirectView.as_view(pattern_name="discussion:form-entry-list"),
        name="responses-entry",
    ),
]
