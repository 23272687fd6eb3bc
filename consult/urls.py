from django.contrib import admin
from django.urls import include, path

import proposals.urls  # noqa: F401 - registers the uslug path converter
from consult import views
from consult.reports import workspace_views
from discussion.activity import views as activity_views
from discussion.comments import views as discussion_views
from discussion.urls import consultation_urlpatterns as moderation_urlpatterns
from proposals import manage_urls

admin.site.site_header = "consult"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/name/", include("consult.accounts.urls")),
    path("accounts/tokens/", include("consult.api.token_urls")),
    path("accounts/identity/", include("consult.identity.urls")),
    path("accounts/privacy/", include("consult.privacy.urls")),
    path("accounts/following/", include("proposals.subscription_urls")),
    path("privacy/", include("consult.privacy.page_urls")),
    path("accounts/activity/", include("discussion.activity.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("consult.api.urls")),
    path("open-data/", include("consult.opendata.urls")),
    path("feeds/", include("consult.feeds.urls")),
    # The discussion of a consultation lives under its address, served by discussion/.
    path(
        "consultations/<uslug:slug>/sections/<int:section_id>/",
        discussion_views.section_discussion,
        name="section-discussion",
    ),
    path(
        "consultations/<uslug:slug>/discussion/",
        discussion_views.general_discussion,
        name="general-discussion",
    ),
    path(
        "consultations/<uslug:slug>/questions/<int:question_id>/",
        discussion_views.general_discussion,
        name="question-discussion",
    ),
    path(
        "consultations/<uslug:slug>/comments/", discussion_views.comment_post, name="comment-post"
    ),
    path("consultations/<uslug:slug>/", include(moderation_urlpatterns)),
    path("consultations/<uslug:slug>/", include("consult.reports.urls")),
    path("consultations/", include("proposals.urls")),
    path("discussion/", include("discussion.urls")),
    path("people/<int:pk>/", activity_views.person_profile, name="person-profile"),
    # The officials' screens; their dashboard reads the discussion and the
    # reports, floors above proposals, so it joins the namespace here.
    path(
        "manage/",
        include(
            (
                [path("", workspace_views.dashboard, name="dashboard"), *manage_urls.urlpatterns],
                manage_urls.app_name,
            )
        ),
    ),
    path("notifications/", include("consult.notifications.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded and generated files (MEDIA_ROOT) are never served as they lie, in any
# mode: each is served by a view that checks who may see it.
