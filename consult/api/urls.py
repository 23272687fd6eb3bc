from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from consult.api import docs, errors, views

app_name = "api"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.reference, name="docs"),
    path("docs/explorer/", docs.explorer, name="explorer"),
    path("consultations/", views.Consultations.as_view(), name="consultations"),
    path("consultations/<uslug:slug>/", views.ConsultationDetail.as_view(), name="consultation"),
    path("consultations/<uslug:slug>/versions/", views.Versions.as_view(), name="versions"),
    path("consultations/<uslug:slug>/comments/", views.Comments.as_view(), name="comments"),
    path("consultations/<uslug:slug>/stances/", views.Stances.as_view(), name="stances"),
    path("consultations/<uslug:slug>/stance/", views.Stance.as_view(), name="stance"),
    path("consultations/<uslug:slug>/responses/", views.Responses.as_view(), name="responses"),
    path("consultations/<uslug:slug>/report/", views.Report.as_view(), name="report"),
    path("comments/<int:pk>/", views.CommentDetail.as_view(), name="comment"),
    path("comments/<int:pk>/vote/", views.Vote.as_view(), name="vote"),
    path("departments/", views.Departments.as_view(), name="departments"),
    path("topics/", views.Topics.as_view(), name="topics"),
    path("me/", views.MeView.as_view(), name="me"),
    re_path(r"^[\s\S]*$", errors.not_found),
]
