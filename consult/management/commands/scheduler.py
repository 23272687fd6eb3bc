"""Enqueue the periodic tasks. One scheduler per deployment.

Each job runs at its interval; a job is enqueued on the task queue (the
worker does the work) or, for Django's own housekeeping commands, run here.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.tasks import task_backends
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

MINUTE = 60
HOUR = 3600


@dataclass(frozen=True)
class Job:
    name: str
    every: int  # seconds
    run: Callable[[], object]


def _enqueue(path: str) -> Callable[[], object]:
    return lambda: import_string(path).enqueue()


# Tasks for the worker: name -> (task, interval).
TASKS = {
    # Stored statuses catch up with the clock; followers hear of openings.
    "lifecycle": ("proposals.tasks.lifecycle_advance", MINUTE),
    # Followers hear that a consultation closes within three days (once per closing date).
    "closing soon": ("proposals.tasks.closing_soon_notify", HOUR),
    # Daily digests fall due at different hours for different people.
    "digests": ("consult.notifications.tasks.digests_send", HOUR),
    # Notification emails whose sending failed or never ran, from the last day.
    "email retry": ("consult.notifications.tasks.emails_retry", HOUR),
    # Data exports past their 7 days, or served, are deleted.
    "exports": ("consult.privacy.tasks.exports_expire", HOUR),
    # Postal codes unused after 30 days: the request ends, its address is dropped.
    "postal codes": ("consult.identity.tasks.postal_codes_expire", HOUR),
    # Documents attached to responses that were never read (the queue was down).
    "documents": ("discussion.submissions.tasks.documents_extract_pending", HOUR),
}


def jobs() -> list[Job]:
    found = [Job(name, every, _enqueue(path)) for name, (path, every) in TASKS.items()]
    # Expired sessions are deleted, not merely refused.
    found.append(Job("sessions", HOUR, lambda: call_command("clearsessions", verbosity=0)))
    if type(task_backends["default"]).__name__ == "DatabaseBackend":
        found.append(
            Job(
                "task results",
                HOUR,
                lambda: call_command("prune_db_task_results", min_age_days=1, verbosity=0),
            )
        )
    return found


class Command(BaseCommand):
    help = "Enqueue periodic tasks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, **options):
        signal.signal(signal.SIGTERM, _interrupt)
        last: dict[str, float] = {}
        try:
            schedule = jobs()
            while True:
                now = time.monotonic()
                for job in schedule:
                    if job.name not in last or now - last[job.name] >= job.every:
                        last[job.name] = now
                        try:
                            job.run()
                        except Exception:
                            # One failing job must not stop the others.
                            import logging

                            logging.getLogger(__name__).exception(
                                "periodic job %s failed", job.name
                            )
                if options["once"]:
                    return
                time.sleep(MINUTE)
        except KeyboardInterrupt:
            return


def _interrupt(signum, frame):
    # Once stopping, a second SIGTERM or a Ctrl-C must not interrupt the stop.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt
