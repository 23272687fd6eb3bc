from django.urls import path, register_converter

from proposals import views


class UnicodeSlugConverter:
    """Letters (any script), digits, underscores and hyphens: what slugify(allow_unicode) makes."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<uslug:slug>/", views.proposal_detail, name="detail"),
    path("<uslug:slug>/stance/", views.stance, name="stance"),
    path("<uslug:slug>/follow/", views.follow, name="follow"),
    path("<uslug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("<uslug:slug>/changes/", views.version_changes, name="changes"),
    path("<uslug:slug>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
