from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "consult.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from consult.identity import receivers  # noqa: F401
