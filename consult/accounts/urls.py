from django.urls import path

from consult.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.display_name, name="display-name"),
    path("profile/", views.profile_visibility, name="profile"),
]
