"""A site whose staff entry page exists, for the entry link's test."""

from django.http import HttpResponse
from django.urls import include, path


def entry(request, slug):
    return HttpResponse(slug)


urlpatterns = [
    path(
        "discussion/",
        include(
            (
                [path("consultations/<slug:slug>/form/enter/", entry, name="form-entry")],
                "discussion",
            )
        ),
    )
]
