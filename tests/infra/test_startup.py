"""Start-up as an operator sees it: bad configuration is one line naming the setting."""

import subprocess
import sys

import pytest

from consult.infra import config
from consult.infra.redis_server import free_port
from tests.conftest import BASE_DIR, run_manage, subprocess_env

pytestmark = pytest.mark.django_db


def assert_one_line_naming(result: subprocess.CompletedProcess, setting: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url", ["not-a-url", "mysql://root@db/consult", "postgres://app@localhost:5432"]
)
def test_malformed_database_url_stops_start_up_with_one_line(url):
    assert_one_line_naming(
        run_manage("serve", "--no-worker", "--no-scheduler", env={"DATABASE_URL": url}),
        "DATABASE_URL",
    )


def test_unreachable_database_stops_start_up_with_one_line():
    url = f"postgres://consult:secret@127.0.0.1:{free_port()}/consult"
    result = run_manage("serve", "--no-worker", "--no-scheduler", env={"DATABASE_URL": url})
    assert_one_line_naming(result, "DATABASE_URL")
    assert "secret" not in result.stderr


@pytest.mark.parametrize("url", ["localhost:6379", "redis://localhost:sixthree/0"])
def test_malformed_redis_url_stops_start_up_with_one_line(url):
    assert_one_line_naming(
        run_manage("serve", "--no-worker", "--no-scheduler", env={"REDIS_URL": url}), "REDIS_URL"
    )


def test_unreachable_redis_stops_start_up_with_one_line(tmp_path):
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    assert_one_line_naming(
        run_manage("serve", "--no-worker", "--no-scheduler", env=env), "REDIS_URL"
    )


def test_make_run_launcher_reports_a_malformed_redis_url():
    result = subprocess.run(
        [sys.executable, "-m", "consult.infra.run"],
        cwd=BASE_DIR,
        env={**subprocess_env(), "REDIS_URL": "redis//nowhere"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_naming(result, "REDIS_URL")


def test_production_like_settings_pass_the_deployment_checklist():
    env = {
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "a" * 10 + "production-grade-secret-key-that-is-long-and-random-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "consult.example.gov",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.gov",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_serve_loads_demo_data_only_when_asked(monkeypatch):
    from django.core.management import call_command

    from consult.accounts.models import User
    from consult.management.commands import serve

    monkeypatch.setattr(serve.Command, "spawn", lambda self, command, env: command)
    monkeypatch.setattr(serve.server, "listen_problem", lambda host, port: None)
    monkeypatch.setattr(serve.Command, "supervise", lambda self, children: None)
    call_command("serve", "--no-migrate", "--no-worker", "--no-scheduler")
    assert not User.objects.exists()
    call_command("serve", "--no-migrate", "--no-worker", "--no-scheduler", "--seed-demo")
    assert User.objects.filter(email="admin@example.org").exists()


@pytest.mark.parametrize("setting", ["PRIVACY_CONTROLLER", "PRIVACY_COMPLAINTS"])
def test_production_without_the_privacy_notice_refuses_to_start(setting):
    env = {"DEBUG": "false", setting: ""}
    result = run_manage("serve", "--no-worker", "--no-scheduler", env=env)
    assert_one_line_naming(result, setting)
    assert "is required when DEBUG is off" in result.stderr
    daphne = subprocess.run(
        [sys.executable, "-c", "import asgi"],
        cwd=BASE_DIR,
        env={**subprocess_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_naming(daphne, setting)


def test_a_demo_starts_without_the_privacy_notice():
    env = {"DEBUG": "true", **{name: "" for name in config.PRIVACY_SETTINGS}}
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr
