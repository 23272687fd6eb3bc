"""Email goes out through the tasks API, on commit, never inside the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.tasks import task_backends

from consult.mail import email_send

pytestmark = pytest.mark.django_db(transaction=True)


def test_tests_run_tasks_immediately():
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"


def test_the_database_worker_delivers_queued_email(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        result = email_send.using(backend="default").enqueue(
            subject="Hello", body="Plain", from_email=None, to=["a@example.org"], html="<p>Hi</p>"
        )
        assert mail.outbox == []
    assert DBTaskResult.objects.filter(pk=result.id).exists()
    assert mail.outbox == []

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert mail.outbox[0].alternatives[0].content == "<p>Hi</p>"
