from django.urls import path

from proposals import subscription_views as views

app_name = "subscriptions"

urlpatterns = [
    path("", views.subscription_index, name="index"),
    path("set/", views.subscription_set, name="set"),
]
