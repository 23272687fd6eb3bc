"""A site without the staff entry page, for the entry link's test."""

from django.urls import include, path

urlpatterns = [path("discussion/", include(([], "discussion")))]
