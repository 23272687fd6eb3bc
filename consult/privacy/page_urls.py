from django.urls import path

from consult.privacy import views

urlpatterns = [path("", views.privacy_page, name="privacy")]
