"""Shared fixtures: people with roles, the department tree, a real Daphne."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection

from consult.accounts import services as account_services
from consult.accounts.models import Department, Jurisdiction, Role, User
from consult.infra.redis_server import free_port
from consult.infra.server import daphne_command
from tests.live_helpers import close_worker_connection

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "correct horse battery staple"


# The longest tests start first: run in parallel, a long test picked up last
# would leave one worker running it alone at the end.
LONGEST_FIRST = (
    "tests/e2e/test_pages_audit.py::",
    "tests/deploy/test_sentinel.py::",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        for index, prefix in enumerate(LONGEST_FIRST):
            if item.nodeid.startswith(prefix):
                return index
        return len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its place


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Consumers reach the database from worker threads; with persistent
    # connections those would outlive the test and hold the test database
    # open at teardown. Production keeps its CONN_MAX_AGE.
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["consult.testing.hashers.FastPBKDF2PasswordHasher"]
    # Tallies go out at once unless a test is about coalescing: no timer
    # thread may outlive the test that started it.
    settings.CONSULT_TALLY_WINDOW_SECONDS = 0
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = 0


@pytest.fixture(autouse=True)
def _language_reset():
    """A page asked for in Chinese leaves Chinese active in the thread (the
    locale middleware activates and never deactivates): the next test starts
    in the site's language, whatever this one asked for."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """A new channel layer per test: its locks belong to the event loop that
    made them, and each async test runs in a loop of its own."""
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, socket counts and cached values must not leak
    between tests (ids repeat once a test's rows are rolled back)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    patterns = ("cache:*", "consult:rate:*", "consult:sockets:*", "consult:viewers:*")
    keys = [key for match in patterns for key in client.scan_iter(match, count=1000)]
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(
        email: str | None = None,
        display_name: str = "Test Person",
        *,
        verified: bool = True,
        **fields,
    ) -> User:
        email = email or f"person{next(counter)}@example.org"
        user = User.objects.create_user(email, PASSWORD, display_name=display_name, **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
        return user

    return make


@dataclass
class Tree:
    nation: Jurisdiction
    city: Jurisdiction
    ministry: Department
    city_office: Department
    district_office: Department
    other_ministry: Department


@pytest.fixture
def tree(db) -> Tree:
    """National ministry > city office > district office, and an unrelated ministry."""
    create_j = account_services.jurisdiction_create
    create_d = account_services.department_create
    nation = create_j(actor=None, name="Nation", slug="nation", level="national")
    city = create_j(actor=None, name="City", slug="city", level="city", parent=nation)
    ministry = create_d(actor=None, name="Ministry", slug="ministry", jurisdiction=nation)
    city_office = create_d(
        actor=None, name="City office", slug="city-office", jurisdiction=city, parent=ministry
    )
    district_office = create_d(
        actor=None, name="District office", slug="district", jurisdiction=city, parent=city_office
    )
    other = create_d(actor=None, name="Other ministry", slug="other", jurisdiction=nation)
    return Tree(nation, city, ministry, city_office, district_office, other)


@pytest.fixture
def make_proposal(tree):
    """A proposal of the ministry, open unless told otherwise."""
    from proposals.models import Proposal, Status

    counter = iter(range(1, 10_000))

    def make(title: str = "Safer streets near schools", **fields) -> Proposal:
        n = next(counter)
        fields = {
            "department": tree.ministry,
            "jurisdiction": tree.nation,
            "slug": f"proposal-{n}",
            "summary": "A 20 km/h limit near schools.",
            "status": Status.OPEN,
            **fields,
        }
        return Proposal.objects.create(title=title, **fields)

    return make


@pytest.fixture
def grant():
    def grant(user: User, department: Department, role: Role) -> User:
        account_services.membership_grant(actor=None, user=user, department=department, role=role)
        return user

    return grant


def grant_official(client, tree: Tree, user: User):
    """Make a person an official of the city office through the admin's
    department page, as a staff member would (the client is signed in)."""
    return client.post(
        f"/admin/accounts/department/{tree.city_office.pk}/change/",
        {
            "name": "City office",
            "slug": "city-office",
            "jurisdiction": tree.city.pk,
            "parent": tree.ministry.pk,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": user.pk,
            "memberships-0-role": "official",
        },
    )


def subprocess_env() -> dict[str, str]:
    """The environment for a server or command the tests start, as production would have it."""
    env = dict(os.environ)
    # Set for the browser tests' own process only (see tests/e2e/conftest.py).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def database_url_for_subprocess() -> str:
    """The URL of the test database this session created, for a server process."""
    config = connection.settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    host = config["HOST"] or "localhost"
    port = config["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{config['NAME']}"


@dataclass
class LiveServer:
    url: str
    host: str
    port: int
    process: subprocess.Popen


@contextmanager
def daphne_server(task_backend: str, *, overrides: dict[str, str] | None = None):
    """Daphne in a subprocess on the test database (and a worker with the
    database task backend); `overrides` add to or replace its environment."""
    port = free_port()
    env = {
        **subprocess_env(),
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "HTTPS": "false",
        "TASK_BACKEND": task_backend,
        "STAFF_REQUIRE_MFA": "true",
        **(overrides or {}),
    }
    log = open(BASE_DIR / "var" / f"live-server-{port}.log", "w")  # noqa: SIM115
    processes = [
        subprocess.Popen(
            daphne_command(host="127.0.0.1", port=port),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=log,
        )
    ]
    server = LiveServer(f"http://127.0.0.1:{port}", "127.0.0.1", port, processes[0])
    try:
        if task_backend == "database":
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
        _wait_for_http(server)
        yield server
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            stop(process)
        log.close()


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a process the tests started: asked first, killed if it does not go in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
async def worker_connection_closed():
    """For tests that drive consumers in this process: the database connection
    of the thread that runs their ORM calls must not outlive the test."""
    yield
    await close_worker_connection()


@pytest.fixture
def asgi_live_server(transactional_db):
    """The real thing: `daphne asgi:application` in a subprocess, on the test database."""
    with daphne_server("immediate") as server:
        yield server


@pytest.fixture
def asgi_live_server_with_worker(transactional_db):
    """Daphne and a separate task worker, as `make run` serves: background work
    (the summary) runs in the worker while pages watch its progress."""
    with daphne_server("database") as server:
        yield server


def _wait_for_http(server: LiveServer, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"daphne exited with {code}; see var/live-server-{server.port}.log")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("daphne did not answer /healthz in time")


def run_manage(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process, as an operator would."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env={**subprocess_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
