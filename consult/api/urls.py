from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from consult.api import docs, errors
from consult.api.views import comments, consultations, form, report, stances, tokens

app_name = "api"

urlpatterns = [
    path("", consultations.Index.as_view(), name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.reference, name="docs"),
    path("docs/explorer/", docs.explorer, name="explorer"),
    path("consultations/", consultations.Consultations.as_view(), name="consultations"),
    path(
        "consultations/<uslug:slug>/",
        consultations.ConsultationDetail.as_view(),
        name="consultation",
    ),
    path("consultations/<uslug:slug>/versions/", consultations.Versions.as_view(), name="versions"),
    path("consultations/<uslug:slug>/comments/", comments.Comments.as_view(), name="comments"),
    path("consultations/<uslug:slug>/stances/", stances.Stances.as_view(), name="stances"),
    path("consultations/<uslug:slug>/stance/", stances.Stance.as_view(), name="stance"),
    path("consultations/<uslug:slug>/responses/", report.Responses.as_view(), name="responses"),
    path("consultations/<uslug:slug>/report/", report.Report.as_view(), name="report"),
    path("consultations/<uslug:slug>/form/", form.Form.as_view(), name="form"),
    path("consultations/<uslug:slug>/form/counts/", form.FormCounts.as_view(), name="form-counts"),
    path(
        "consultations/<uslug:slug>/form/responses/",
        form.FormResponses.as_view(),
        name="form-responses",
    ),
    path(
        "consultations/<uslug:slug>/form/response/",
        form.OwnResponse.as_view(),
        name="form-response",
    ),
    path("comments/<int:pk>/", comments.CommentDetail.as_view(), name="comment"),
    path("comments/<int:pk>/vote/", comments.Vote.as_view(), name="vote"),
    path("departments/", consultations.Departments.as_view(), name="departments"),
    path("topics/", consultations.Topics.as_view(), name="topics"),
    path("me/", tokens.MeView.as_view(), name="me"),
    re_path(r"^[\s\S]*$", errors.not_found),
]
