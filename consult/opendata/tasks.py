"""Background work of the bulk downloads, run by the task worker."""

from django.tasks import task

from consult.opendata import builds


@task
def build_data_file(file_id: int, attempt: int) -> str:
    """Build one queued open-data ZIP; its progress is stored on its row."""
    file = builds.data_file_build(file_id=file_id, attempt=attempt)
    return file.state if file else "skipped"
