"""What "Your activity" does when the accounts app tells it something."""

from django.dispatch import receiver

from consult.accounts.signals import display_name_changed
from discussion.activity.tasks import author_rename_announce


@receiver(display_name_changed, dispatch_uid="discussion.activity.display_name_changed")
def _announce_rename(sender, *, user_id: int, **kwargs) -> None:
    # In the background: a prolific person has comments in many consultations.
    author_rename_announce.enqueue(user_id=user_id)
