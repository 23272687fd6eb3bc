"""Background work of the privacy app, run by the task worker."""

from django.tasks import task

from consult.privacy.services import archives, history


@task
def export_build(export_id: int) -> str:
    """Build one person's queued "download my data" archive."""
    export = archives.export_build(export_id=export_id)
    return export.state if export else "skipped"


@task
def exports_expire() -> dict[str, int]:
    """Hourly: remove expired and served archives and forget old requests."""
    return archives.exports_expire()


@task
def author_history_rewrite(user_id: int) -> int:
    """After an account is deleted or renamed: its comments' live events show what is true now."""
    return history.author_history_rewrite(user_id=user_id)
