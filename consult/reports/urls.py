from django.urls import path

from consult.reports import form_views, views

app_name = "reports"

urlpatterns = [
    path("summary/", views.summary_page, name="summary"),
    path("summary/run/", views.summary_start, name="summary-start"),
    path("summary/evidence/", views.summary_evidence, name="summary-evidence"),
    path("summary/<int:run_id>/evidence/", views.summary_evidence, name="summary-run-evidence"),
    path("summary/form/responses/", form_views.form_responses, name="form-responses"),
    path("summary/themes/adopt/", views.theme_adopt, name="theme-adopt"),
    path("report/draft/", views.report_draft, name="report-draft"),
    path("report/edit/", views.report_edit, name="report-edit"),
    path("report/preview/", views.report_preview, name="report-preview"),
    path("report/publish/", views.report_publish, name="report-publish"),
    path("report/", views.report_public, name="public"),
    path("report/evidence/", views.report_evidence, name="evidence"),
    path("report/download/<str:fmt>/", views.report_download, name="download"),
    path(
        "report/responses.csv",
        views.report_form_responses,
        name="form-responses-download",
    ),
]
