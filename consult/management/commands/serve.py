"""Check the services, prepare the database and serve with Daphne and a task worker."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from consult.accounts.models import User
from consult.demo.management.commands.seed_demo import DEMO_PASSWORD, demo_accounts
from consult.infra import health, server

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
        parser.add_argument("--port", type=port_number, default=8000)
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
        host, port = options["host"], options["port"]
        try:
            self.preflight(host, port)
            if not options["no_migrate"]:
                call_command("migrate", interactive=False, verbosity=0)
            if options["seed_demo"] and not User.objects.exists():
                self.stdout.write("Empty database: loading demo data.")
                call_command("seed_demo", verbosity=0)
        except KeyboardInterrupt:
            return  # Ctrl-C before serving: the database steps roll back, nothing runs yet
        # Links in emails lead to where this serves, unless SITE_URL says otherwise.
        site_url = os.environ.get("SITE_URL", "").strip() or server.served_url(host, port)
        env = {**os.environ, "SITE_URL": site_url}
        self.print_welcome(host, port, site_url)
        children = []
        if not options["no_worker"]:
            children.append(self.spawn([sys.executable, "manage.py", "db_worker"], env))
        if not options["no_scheduler"]:
            children.append(self.spawn([sys.executable, "manage.py", "scheduler"], env))
        children.append(self.spawn(server.daphne_command(host=host, port=port), env))
        self.supervise(children)

    def preflight(self, host: str, port: int) -> None:
        """Stop with one line naming the setting when a service does not answer
        or the port is taken."""
        if problem := health.database_problem():
            raise CommandError(f"DATABASE_URL: cannot use the database: {problem}")
        if problem := health.redis_problem():
            raise CommandError(f"REDIS_URL: {problem}")
        if problem := server.listen_problem(host, port):
            raise CommandError(f"--port {port}: cannot serve at {host}:{port}: {problem}")

    def print_welcome(self, host: str, port: int, site_url: str) -> None:
        url = server.served_url(host, port)
        self.stdout.write(self.style.SUCCESS(f"consult is starting at {url}/"))
        self.stdout.write(f"Links in emails lead to {site_url}/ (set SITE_URL to change).")
        accounts = [a for a in demo_accounts() if User.objects.filter(email=a.email).exists()]
        if accounts:
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
            for account in accounts:
                self.stdout.write(f"  {account.role:<10} {account.email}")

    def spawn(self, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        return server.spawn(command, cwd=BASE_DIR, env=env)

    def supervise(self, children: list[subprocess.Popen]) -> None:
        """Until Ctrl-C or SIGTERM (then stop the children and exit 0) or a
        child ends by itself (then stop the others and fail naming it, even
        when it ended with 0: the site is down, and a service manager that
        restarts on failure must restart it)."""
        stop = server.StopSignals()
        ended = stop.wait(children)
        server.stop_processes(children)
        if ended:
            name = " ".join(str(part) for part in ended[0].args[1:3])
            raise CommandError(
                f"{name} stopped by itself ({server.describe_exit(ended[0].returncode)}); "
                "serve stops too"
            )


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {port}")
    return port
