from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from discussion import receivers  # noqa: F401 - connects the receivers
        from discussion.activity import receivers as activity_receivers  # noqa: F401
        from discussion.submissions import receivers as form_receivers  # noqa: F401
