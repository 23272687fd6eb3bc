"""Background work of "Your activity", run by the task worker."""

from django.tasks import task

from discussion.activity import renames


@task
def author_rename_announce(user_id: int) -> int:
    """After a rename: open pages put the new name in place."""
    return renames.author_rename_announce(user_id=user_id)
