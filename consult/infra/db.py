"""Database helpers shared by the services."""

from collections.abc import Callable

from django.db import IntegrityError


def retry_on_conflict[T](write: Callable[[], T], *, attempts: int = 3) -> T:
    """Run an insert-or-update; when a concurrent first insert wins the unique
    constraint (two clicks, two tabs), run it again: it now finds the row."""
    for attempt in range(attempts):
        try:
            return write()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("attempts must be at least 1")
