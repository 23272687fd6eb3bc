"""What this app does when a person signs in, asks for their data, or is erased."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from consult.accounts.signals import account_erasing, personal_data
from consult.notifications import selectors, services


@receiver(user_logged_in)
def _language_at_sign_in(sender, request, user, **kwargs) -> None:
    language = getattr(request, "LANGUAGE_CODE", None)
    if language:
        services.language_record(user=user, language=language)


@receiver(personal_data, dispatch_uid="notifications.notifications")
def _notifications(sender, user, **kwargs) -> dict[str, list[dict]]:
    return selectors.notifications_of(user_id=user.pk)


@receiver(personal_data, dispatch_uid="notifications.personal_data")
def _personal_data(sender, user, **kwargs) -> dict[str, list[dict]]:
    return selectors.personal_data_of(user_id=user.pk)


@receiver(account_erasing, dispatch_uid="notifications.erase")
def _erase(sender, user, **kwargs) -> None:
    services.notifications_erase(user=user)
