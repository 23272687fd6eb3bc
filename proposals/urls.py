from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<str:slug>/", views.proposal_detail, name="detail"),
]
