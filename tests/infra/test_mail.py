"""Email goes out through the tasks API, on commit, never inside the request."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.tasks import task_backends

from consult.infra.mail import email_enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_tests_run_tasks_immediately():
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"


def test_the_database_worker_delivers_queued_email_and_the_queue_never_holds_it_readable(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    message = EmailMultiAlternatives(
        "Reset your password",
        "Open https://consult.example/accounts/password/reset/key/SECRET-TOKEN/",
        None,
        ["a@example.org"],
    )
    message.attach_alternative("<p>SECRET-TOKEN</p>", "text/html")
    with transaction.atomic():
        email_enqueue(message)
        assert not DBTaskResult.objects.exists()  # nothing before commit
    stored = DBTaskResult.objects.get()
    assert "SECRET-TOKEN" not in str(stored.args_kwargs)
    assert "a@example.org" not in str(stored.args_kwargs)
    assert mail.outbox == []

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "SECRET-TOKEN" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0].content == "<p>SECRET-TOKEN</p>"


def test_a_rolled_back_write_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        email_enqueue(EmailMultiAlternatives("s", "b", None, ["x@example.org"]))
        raise RuntimeError("the write failed")
    assert mail.outbox == []
