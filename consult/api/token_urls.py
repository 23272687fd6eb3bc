from django.urls import path

from consult.api.views import tokens

app_name = "tokens"

urlpatterns = [
    path("", tokens.tokens_page, name="list"),
    path("<int:pk>/revoke/", tokens.revoke, name="revoke"),
]
