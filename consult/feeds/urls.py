from django.urls import path

from consult.feeds import views
from consult.feeds.selectors import DEPARTMENT, JURISDICTION, TOPIC

app_name = "feeds"

# Each feed takes `topic`, `department` and `jurisdiction` as the list page
# does (?topic=transport&jurisdiction=riverton), and `lang`. The addresses by
# topic, department and place say the same for one of them. Slugs are
# matched loosely here and checked by the view, which answers a clear 404.
BY = {"topics": TOPIC, "departments": DEPARTMENT, "places": JURISDICTION}

urlpatterns = [
    path("consultations.atom", views.consultations, name="consultations"),
    path("reports.atom", views.reports, name="reports"),
    path("closing-dates.ics", views.closing_dates, name="closing-dates"),
]
for prefix, kind in BY.items():
    urlpatterns += [
        path(f"{prefix}/<str:slug>.atom", views.consultations, {"kind": kind}, name=kind),
        path(f"{prefix}/<str:slug>/reports.atom", views.reports, {"kind": kind}),
        path(f"{prefix}/<str:slug>/closing-dates.ics", views.closing_dates, {"kind": kind}),
    ]
