from django.urls import path

import proposals.urls  # noqa: F401 - registers the uslug path converter
from consult.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("site.zip", views.site_download, name="site"),
    path("consultations/<uslug:slug>.zip", views.consultation_download, name="consultation"),
]
