"""Test-session set-up that must happen before Django reads its settings.

Loaded with `-p consult.testing.pytest_plugin` (see pyproject.toml). When
REDIS_URL is unset it starts a private, real Redis for the whole session; it
makes tasks run immediately, serves tests over plain HTTP, and gives the
settings production requires (the privacy page's) test values.
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
    if not os.environ.get("REDIS_URL"):
        workdir = Path(early_config.rootpath) / "var" / f"test-redis-{os.getpid()}"
        _private_redis = PrivateRedis(workdir=workdir).start()
        os.environ["REDIS_URL"] = _private_redis.url
        os.environ["CONSULT_TEST_PRIVATE_REDIS"] = "1"
    return (yield)


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
