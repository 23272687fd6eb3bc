from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Draft policies")

    def ready(self) -> None:
        from proposals import receivers  # noqa: F401 - connects the receivers
