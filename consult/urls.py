from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from consult import views

admin.site.site_header = "consult"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("consultations/", include("proposals.urls")),
    path("manage/", include("proposals.manage_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
