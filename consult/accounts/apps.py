from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "consult.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Connect the receivers (sso: its sign-in links' erase and export).
        from consult.accounts import receivers, sessions, signals, sso  # noqa: F401
