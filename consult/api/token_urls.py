from django.urls import path

from consult.api import token_views

app_name = "tokens"

urlpatterns = [
    path("", token_views.tokens_page, name="list"),
    path("<int:pk>/revoke/", token_views.revoke, name="revoke"),
]
