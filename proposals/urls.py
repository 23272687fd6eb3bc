from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<str:slug>/", views.proposal_detail, name="detail"),
    path("<str:slug>/sections/<int:section_id>/", views.section_detail, name="section"),
    path("<str:slug>/stance/", views.stance, name="stance"),
    path("<str:slug>/follow/", views.follow, name="follow"),
    path("<str:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("<str:slug>/changes/", views.version_changes, name="changes"),
    path("<str:slug>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
