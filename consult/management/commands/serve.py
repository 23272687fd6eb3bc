"""Check the services, prepare the database and serve with Daphne and a task worker."""

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from consult import health
from consult.accounts.models import User
from consult.management.commands.seed_demo import DEMO_PASSWORD, demo_accounts
from consult.server import daphne_command

BASE_DIR = Path(settings.BASE_DIR)

PROXY_HEADERS_GONE = (
    "--proxy-headers: not needed and not used (it trusted the address a client writes); "
    "behind a proxy set BEHIND_PROXY=true, and TRUSTED_PROXY_HOPS and TRUSTED_PROXIES "
    "when the defaults (one proxy, on loopback) do not fit"
)


class Command(BaseCommand):
    help = "Serve the platform: start-up checks, migrate, seed if empty, Daphne and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker.")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not start the periodic-task scheduler (run exactly one per deployment).",
        )
        parser.add_argument(
            "--seed-demo",
            action="store_true",
            help="Load the demo data (with its published passwords) into an empty database.",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not migrate (when several processes start at once, migrate once beforehand).",
        )
        # Kept only to say what replaced it (TRUSTED_PROXY_HOPS, TRUSTED_PROXIES).
        parser.add_argument("--proxy-headers", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["proxy_headers"]:
            raise CommandError(PROXY_HEADERS_GONE)
        self.preflight()
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if options["seed_demo"] and not User.objects.exists():
            self.stdout.write("Empty database: loading demo data.")
            call_command("seed_demo", verbosity=0)
        self.print_welcome(options["host"], options["port"])
        children = []
        if not options["no_worker"]:
            children.append(self.spawn([sys.executable, "manage.py", "db_worker"]))
        if not options["no_scheduler"]:
            children.append(self.spawn([sys.executable, "manage.py", "scheduler"]))
        children.append(self.spawn(daphne_command(host=options["host"], port=options["port"])))
        self.supervise(children)

    def preflight(self) -> None:
        """Stop with one line naming the setting when a service does not answer."""
        if problem := health.database_problem():
            raise CommandError(f"DATABASE_URL: cannot use the database: {problem}")
        if problem := health.redis_problem():
            raise CommandError(f"REDIS_URL: {problem}")

    def print_welcome(self, host: str, port: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"consult is starting at http://{host}:{port}/"))
        accounts = [a for a in demo_accounts() if User.objects.filter(email=a.email).exists()]
        if accounts:
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
            for account in accounts:
                self.stdout.write(f"  {account.role:<10} {account.email}")

    def spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, cwd=BASE_DIR)

    def supervise(self, children: list[subprocess.Popen]) -> None:
        # A service manager stops us with SIGTERM: take the children down too.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child for child in children if child.returncode not in (0, -15, None)]
        if failed:
            name = " ".join(str(part) for part in failed[0].args[1:3])
            raise CommandError(f"{name} stopped with exit code {failed[0].returncode}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt
