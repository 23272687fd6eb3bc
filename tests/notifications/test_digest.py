"""The daily digest: one email listing what came since the last one, of the
kinds the person wants, never listing anything twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from consult.notifications import emails
from consult.notifications import services as notifications
from consult.notifications.models import Kind, Notification, Preference
from consult.notifications.tasks import digests_send
from consult.notifications.unsubscribe import token_read

pytestmark = pytest.mark.django_db


def tell(user, key, *, kind=Kind.REPLY, subject="Safer streets", excerpt=""):
    with transaction.atomic():
        notifications.notify(
            recipient=user, kind=kind, key=key, subject=subject, url=f"/{key}/", excerpt=excerpt
        )


def age(hours: float) -> None:
    """Everything so far happened this many hours earlier."""
    past = timedelta(hours=hours)
    for note in Notification.objects.all():
        Notification.objects.filter(pk=note.pk).update(created_at=note.created_at - past)
    for preference in Preference.objects.exclude(digest_sent_at=None):
        Preference.objects.filter(pk=preference.pk).update(
            digest_sent_at=preference.digest_sent_at - past
        )


@pytest.fixture
def reader(make_user, prefer):
    user = make_user(display_name="Reader")
    prefer(user, delivery="digest")
    return user


def test_one_digest_lists_several_notifications_and_never_lists_them_again(
    reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(reader, "reply:1", excerpt="First reply")
        tell(reader, "response:2", kind=Kind.RESPONSE, excerpt="We agree")
        tell(reader, "version:3", kind=Kind.VERSION, subject="Parks", excerpt="New maps")
    assert mail.outbox == []  # a digest reader gets nothing as it happens

    assert digests_send.call() == 1
    [digest] = mail.outbox
    assert digest.to == [reader.email]
    assert digest.subject == "Your daily digest: 3 new notifications"
    for words in ("First reply", "We agree", "A new version of “Parks”", "/version:3/"):
        assert words in digest.body and words in digest.alternatives[0].content
    header = digest.extra_headers["List-Unsubscribe"]
    assert token_read(header[1:-1].rstrip("/").rsplit("/", 1)[1]) == (reader, "all")
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(emailed_at=None).exists()

    # An hour later, and a day later with nothing new: nothing.
    assert digests_send.call() == 0
    age(25)
    assert digests_send.call() == 0
    assert len(mail.outbox) == 1


def test_at_most_one_digest_a_day(reader):
    tell(reader, "reply:1")
    assert emails.send_digests() == 1
    tell(reader, "reply:2")
    assert emails.send_digests() == 0  # too soon
    age(23)
    assert emails.send_digests() == 0
    age(1)
    assert emails.send_digests() == 1
    assert [m.subject for m in mail.outbox] == [
        "Your daily digest: 1 new notification",
        "Your daily digest: 1 new notification",
    ]
    assert "/reply:2/" in mail.outbox[1].body and "/reply:1/" not in mail.outbox[1].body


def test_the_digest_respects_muted_kinds_read_notifications_and_stopped_emails(
    reader, prefer, make_user
):
    prefer(reader, delivery="digest", email={"moderation": False})
    tell(reader, "reply:1")
    tell(reader, "hidden:2", kind=Kind.MODERATION)
    tell(reader, "reply:3")
    notifications.mark_read(user=reader, notification_id=Notification.objects.get(key="reply:3").pk)
    stopped = make_user()
    prefer(stopped, delivery="none")
    tell(stopped, "reply:4")
    immediate = make_user()
    tell(immediate, "reply:5")  # as it happens; its email was never sent in this test

    assert emails.send_digests() == 1
    [digest] = mail.outbox
    assert digest.to == [reader.email]
    assert "/reply:1/" in digest.body
    assert "/hidden:2/" not in digest.body and "/reply:3/" not in digest.body
    # The muted one stays in the inbox, not emailed.
    assert Notification.objects.get(key="hidden:2").emailed_at is None


def test_a_digest_with_many_items_lists_the_newest_and_counts_the_rest(reader, monkeypatch):
    monkeypatch.setattr(emails, "DIGEST_MAX_ITEMS", 3)
    for n in range(5):
        tell(reader, f"reply:{n}")
    assert emails.send_digests() == 1
    [digest] = mail.outbox
    assert digest.subject == "Your daily digest: 5 new notifications"
    assert "And 2 more." in digest.body
    assert "/reply:4/" in digest.body and "/reply:0/" not in digest.body
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_a_digest_in_the_readers_language(reader, prefer):
    prefer(reader, delivery="digest", language="zh-hans")
    tell(reader, "reply:1")
    emails.send_digests()
    [digest] = mail.outbox
    assert digest.extra_headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in digest.alternatives[0].content
    stamp = Notification.objects.get().created_at
    assert f"{stamp.year}年{stamp.month}月{stamp.day}日" in digest.body


def test_digests_take_the_same_queries_for_2_or_60_readers(
    make_user, prefer, django_assert_num_queries
):
    def readers(n: int) -> None:
        for i in range(n):
            user = make_user()
            prefer(user, delivery="digest")
            tell(user, f"reply:{n}:{i}")
            tell(user, f"response:{n}:{i}", kind=Kind.RESPONSE)

    # Who is due, their addresses and preferences, their notifications, the
    # claim (two), and the time of their digest.
    for n in (2, 60):
        readers(n)
        mail.outbox.clear()
        with django_assert_num_queries(7):
            assert emails.send_digests(now=timezone.now() + timedelta(seconds=1)) == n
        assert len(mail.outbox) == n


def test_a_digest_that_fails_to_send_is_tried_again_next_time(reader, settings):
    tell(reader, "reply:1")
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_emails.Down"}}
    with pytest.raises(ConnectionRefusedError):
        emails.send_digests()
    assert Preference.objects.get(user=reader).digest_sent_at is None
    assert Notification.objects.get().emailed_at is None
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert emails.send_digests() == 1


def test_turning_emails_back_on_does_not_send_the_past(make_user, prefer, settings):
    settings.CONSULT_SITE_URL = "https://consult.example"
    person = make_user(display_name="Returning")
    prefer(person, delivery="none")
    tell(person, "reply:1", excerpt="Said while emails were off")
    age(24 * 90)
    notifications.preferences_update(
        actor=person, email_kinds=list(Kind.values), delivery="digest", language=""
    )
    tell(person, "reply:2", excerpt="Said after")
    age(25)
    assert digests_send.call() == 1
    [digest] = mail.outbox
    assert "Said after" in digest.body
    assert "Said while emails were off" not in digest.body


def test_unmuting_a_kind_does_not_email_what_came_while_it_was_muted(
    make_user, prefer, django_capture_on_commit_callbacks
):
    from consult.notifications.tasks import emails_retry

    person = make_user(display_name="Muted")
    prefer(person, email={"reply": False})
    with django_capture_on_commit_callbacks(execute=True):
        tell(person, "reply:1", excerpt="While muted")
    assert mail.outbox == []
    notifications.preferences_update(
        actor=person, email_kinds=list(Kind.values), delivery="immediate", language=""
    )
    age(0.5)
    emails_retry.call()
    assert mail.outbox == []
