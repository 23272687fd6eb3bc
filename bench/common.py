"""Set-up shared by the benchmarks: a throwaway database, migrated; people
signed in through the site's own session store; the load average at the
start; and the self-checks that stop a benchmark whose figures would count
work that did not happen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def placeholder_settings() -> None:
    """Benchmarks run with DEBUG off, as production does: what production
    requires (the privacy page's details) gets the demo's placeholders."""
    from consult.infra.config import PRIVACY_PLACEHOLDERS

    for name, value in PRIVACY_PLACEHOLDERS.items():
        os.environ.setdefault(name, value)


# On import, so that the servers and children a benchmark starts inherit them.
placeholder_settings()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="consult-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def setup_django_on(database: str) -> None:
    """Django on `database` as the background tasks have it (tasks run at once
    here), without migrating: for a benchmark's measuring children and the
    set-up before them."""
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("REDIS_URL", "")
    os.environ.setdefault("TASK_BACKEND", "immediate")
    placeholder_settings()
    import django

    django.setup()


def ministry_consultation(*, title: str, password: str | None, form: bool = False):
    """A nation, its ministry, the ministry's official (official@example.org,
    signing in with `password`) and an open consultation of theirs, with one
    section (and with `form`, the response form of
    consult.testing.data.every_kind_of_question). Call after setup_django()."""
    from consult.accounts import services as account_services
    from consult.accounts.models import Role, User
    from consult.testing.data import open_consultation

    nation = account_services.jurisdiction_create(
        actor=None, name="Nation", slug="nation", level="national"
    )
    ministry = account_services.department_create(
        actor=None, name="Ministry", slug="ministry", jurisdiction=nation
    )
    official = User.objects.create_user("official@example.org", password, display_name="Official")
    account_services.membership_grant(
        actor=None, user=official, department=ministry, role=Role.OFFICIAL
    )
    return open_consultation(
        official=official, department=ministry, jurisdiction=nation, title=title, form=form
    )


def consultation_arguments(parser, *, share: bool) -> None:
    """--comments, --votes, --share (where the benchmark takes it), --seed and
    --runs: the consultation bench/summary.py's `populate` writes, and how many
    fresh processes measure it."""
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    if share:
        parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2)


def measure_in_children(script: str, args: list[str], *, database: str, runs: int) -> list[dict]:
    """Run `script --measure ARGS` `runs` times, each in a fresh process on
    `database`; each prints its figures as JSON on its last line."""
    import json
    import subprocess

    results = []
    for _ in range(runs):
        child = subprocess.run(  # noqa: S603 - a benchmark script of this folder
            [sys.executable, script, "--measure", *args],
            env={**os.environ, "DATABASE_URL": database},
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    return results


# --- What every benchmark prints and checks ------------------------------------


class CheckFailed(Exception):
    """A self-check failed: the benchmark counted work the database does not hold."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def load_average() -> str:
    """The load average (1, 5 and 15 minutes), as /proc/loadavg gives it."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def print_load(name: str) -> None:
    """The first line of every benchmark: which one, and the machine's load
    at its start (the machine is shared; a figure means little without it)."""
    print(f"# {name}: load average at start {load_average()} ({os.cpu_count()} cores)", flush=True)


def run_checked(main, argv: list[str] | None = None) -> int:
    """main(argv)'s exit status; a failed self-check is said on stderr, in
    capitals so that it is not missed, and exits 1."""
    try:
        return main(argv)
    except CheckFailed as failure:
        print(f"\nBENCHMARK CHECK FAILED: {failure}", file=sys.stderr, flush=True)
        return 1


def signed_in_cookie(user) -> tuple[str, str]:
    """A session of the site's own session engine for `user`, as signing in
    makes it, and a CSRF token: (the Cookie header, the token for forms).
    A session the engine cannot read would be a visitor, whose every post
    goes to the sign-in page."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = get_random_string(32)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
    return cookie + f"{settings.CSRF_COOKIE_NAME}={csrf}", csrf


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far: on a shared
    machine, what its work cost, whatever the wait for a core."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
