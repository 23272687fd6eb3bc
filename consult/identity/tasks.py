"""Background work of the identity app, run by the task worker."""

from django.tasks import task

from consult.identity import services


@task
def postal_codes_expire() -> int:
    """Close postal requests whose code has expired (schedule daily)."""
    return services.postal_codes_expire()
