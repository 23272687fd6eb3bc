from django.urls import path

from discussion.activity import views

app_name = "activity"

urlpatterns = [
    path("", views.activity, name="index"),
    path("votes/<int:pk>/withdraw/", views.vote_withdraw, name="vote-withdraw"),
    path("stances/withdraw/", views.stance_withdraw, name="stance-withdraw"),
    path("<slug:kind>/", views.activity_kind, name="kind"),
]
