"""The scheduler runs each periodic job once per interval, and one failing
job does not stop the others."""

import pytest
from django.core.management import call_command

from consult.management.commands import scheduler


@pytest.mark.django_db
def test_once_runs_every_job_and_survives_a_failing_one(monkeypatch):
    ran = []

    def boom():
        raise RuntimeError("broken job")

    monkeypatch.setattr(
        scheduler,
        "jobs",
        lambda: [
            scheduler.Job("first", 60, boom),
            scheduler.Job("second", 60, lambda: ran.append("second")),
        ],
    )
    call_command("scheduler", "--once")
    assert ran == ["second"]


def test_every_configured_job_names_a_real_task_or_command():
    names = [job.name for job in scheduler.jobs()]
    assert "lifecycle" in names and "sessions" in names
    assert len(names) == len(set(names))
    for path, _every in scheduler.TASKS.values():
        from django.utils.module_loading import import_string

        assert hasattr(import_string(path), "enqueue"), path
