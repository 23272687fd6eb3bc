"""What the privacy app does when another app tells it something."""

from django.dispatch import receiver

from consult.accounts.signals import account_erasing, display_name_changed
from consult.privacy.services import archives
from consult.privacy.services.erasure import history_rewrite_enqueue


@receiver(display_name_changed, dispatch_uid="privacy.display_name_changed")
def _redraw_history(sender, *, user_id: int, **kwargs) -> None:
    # The live event log keeps each comment's HTML, name included, to replay
    # it to a page that missed it: the same redrawing as after a deletion.
    history_rewrite_enqueue(user_id)


@receiver(account_erasing, dispatch_uid="privacy.erase")
def _erase(sender, *, user, **kwargs) -> None:
    # The person's archives and requests (their files once it commits).
    archives.exports_erase(user=user)
