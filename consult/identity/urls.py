from django.urls import path

from consult.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/<slug:method>/", views.start, name="start"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/code/", views.code, name="code"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/approve/", views.approve, name="approve"),
    path("review/<int:pk>/reject/", views.reject, name="reject"),
    path("review/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("review/<int:pk>/scan/", views.scan, name="scan"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter-print"),
    path("letters/<int:pk>/sent/", views.letter_sent, name="letter-sent"),
]
