"""The site's URLs with the open-data pages, for the tests of a branch whose
consult/urls.py does not include them yet (it is the lead's to edit)."""

from django.urls import include, path

from consult.urls import urlpatterns as site_urlpatterns

urlpatterns = list(site_urlpatterns)
if not any(getattr(pattern, "namespace", None) == "opendata" for pattern in urlpatterns):
    urlpatterns.append(path("open-data/", include("consult.opendata.urls")))
