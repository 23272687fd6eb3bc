"""What the privacy app does when another app tells it something."""

from django.dispatch import receiver

from consult.accounts.signals import display_name_changed
from consult.privacy.services import history_rewrite_enqueue


@receiver(display_name_changed, dispatch_uid="privacy.display_name_changed")
def _redraw_history(sender, *, user_id: int, **kwargs) -> None:
    # The live event log keeps each comment's HTML, name included, to replay
    # it to a page that missed it: the same redrawing as after a deletion.
    history_rewrite_enqueue(user_id)
