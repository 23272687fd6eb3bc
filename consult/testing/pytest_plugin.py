"""Test-session set-up that must happen before Django reads its settings.

Loaded with `-p consult.testing.pytest_plugin` (see pyproject.toml). When
REDIS_URL is unset it starts a private, real Redis for the whole session; it
makes tasks run immediately, serves tests over plain HTTP, and gives the
settings production requires (the privacy page's) test values.

Run in parallel (`-n auto`, pytest-xdist), each worker is a test session of
its own: its own Redis (or, when the environment names one, its own database
number and channel prefix in it), its own var/ folder for files, and its
own test database (pytest-django's suffix).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consult.infra.redis_server import PrivateRedis

_private_redis: PrivateRedis | None = None


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A wrapper runs before pytest-django's own hook, which imports settings.
    global _private_redis
    os.environ.setdefault("TASK_BACKEND", "immediate")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("DEBUG", "false")
    # Production's required settings, which the suite (DEBUG off) must set too.
    os.environ.setdefault("PRIVACY_CONTROLLER", "Test Department, 1 Test Street, Test City")
    os.environ.setdefault("PRIVACY_CONTACT", "privacy@test.example.org")
    os.environ.setdefault("PRIVACY_LEGAL_BASIS", "A task in the public interest.")
    os.environ.setdefault("PRIVACY_COMPLAINTS", "The data protection authority.")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker:
        _worker_apart(Path(early_config.rootpath), worker)
    elif _controls_workers(args):
        # The workers start their own; the controller runs no test.
        return (yield)
    if not os.environ.get("REDIS_URL"):
        workdir = Path(early_config.rootpath) / "var" / f"test-redis-{os.getpid()}"
        _private_redis = PrivateRedis(workdir=workdir).start()
        os.environ["REDIS_URL"] = _private_redis.url
        os.environ["CONSULT_TEST_PRIVATE_REDIS"] = "1"
    return (yield)


def _controls_workers(args: list[str]) -> bool:
    """Whether this session hands its tests to xdist workers (-n N, -n auto)."""
    for index, arg in enumerate(args):
        count = arg[2:] if arg.startswith("-n") and arg != "-n" else None
        if arg in ("-n", "--numprocesses") and index + 1 < len(args):
            count = args[index + 1]
        elif arg.startswith("--numprocesses="):
            count = arg.split("=", 1)[1]
        if count is not None:
            return count not in ("0", "")
    return False


def _worker_apart(root: Path, worker: str) -> None:
    """Keep one xdist worker's Redis keys, channel groups and files from another's."""
    number = int(worker.removeprefix("gw") or 0)
    url = os.environ.get("REDIS_URL", "")
    if url:
        # A Redis named by the environment: a database number of the worker's
        # own, and a channel prefix (publish/subscribe ignores database numbers).
        base, _mark, query = url.partition("?")
        scheme, _slashes, rest = base.rstrip("/").partition("://")
        if "/" in rest and rest.rsplit("/", 1)[1].isdigit():
            rest = rest.rsplit("/", 1)[0]
        os.environ["REDIS_URL"] = f"{scheme}://{rest}/{1 + number}" + (f"?{query}" if query else "")
        os.environ["REDIS_CHANNEL_PREFIX"] = f"consult:{worker}:asgi"
    var = root / "var" / f"test-{worker}"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var)


def pytest_report_header(config):
    from consult.infra.config import redact

    source = "private" if _private_redis else "from the environment"
    return f"consult: Redis {source} at {redact(os.environ.get('REDIS_URL', ''))}"


def pytest_unconfigure(config):
    global _private_redis
    if _private_redis is not None:
        _private_redis.stop()
        import shutil

        shutil.rmtree(_private_redis.workdir, ignore_errors=True)
        _private_redis = None
