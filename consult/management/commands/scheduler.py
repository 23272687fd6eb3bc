"""Enqueue the periodic tasks: the lifecycle catch-up every minute, and an
hourly clean-up of finished task results. One scheduler per deployment."""

import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.tasks import task_backends

from proposals.tasks import lifecycle_advance

MINUTE = 60
HOUR = 3600


class Command(BaseCommand):
    help = "Enqueue periodic tasks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue once and exit.")

    def handle(self, *args, **options):
        signal.signal(signal.SIGTERM, _interrupt)
        prunable = type(task_backends["default"]).__name__ == "DatabaseBackend"
        last_prune = 0.0
        try:
            while True:
                lifecycle_advance.enqueue()
                if prunable and time.monotonic() - last_prune >= HOUR:
                    call_command("prune_db_task_results", min_age_days=1, verbosity=0)
                    last_prune = time.monotonic()
                if options["once"]:
                    return
                time.sleep(MINUTE)
        except KeyboardInterrupt:
            return


def _interrupt(signum, frame):
    raise KeyboardInterrupt
