"""What "Your activity" does when the accounts app tells it something."""

from django.dispatch import receiver

from consult.accounts.signals import account_erasing, display_name_changed
from discussion.activity.renames import renames_erase
from discussion.activity.tasks import author_rename_announce


@receiver(display_name_changed, dispatch_uid="discussion.activity.display_name_changed")
def _announce_rename(sender, *, user_id: int, **kwargs) -> None:
    # In the background: a prolific person has comments in many consultations.
    author_rename_announce.enqueue(user_id=user_id)


@receiver(account_erasing, dispatch_uid="discussion.activity.erase")
def _erase_renames(sender, *, user, **kwargs) -> dict[str, int]:
    return {"rename_events": renames_erase(user)}
