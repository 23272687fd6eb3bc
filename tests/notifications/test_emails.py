"""What a notification email looks like, in whose language, with which
headers; sent once, in batches whose queries do not grow with the crowd."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.notifications import emails
from consult.notifications import services as notifications
from consult.notifications.models import ALL_KINDS, Kind, Notification
from consult.notifications.unsubscribe import token_read
from tests.notifications.conftest import sent_to

pytestmark = pytest.mark.django_db

SITE = "https://consult.example.gov"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CONSULT_SITE_URL = SITE


def tell(recipients, *, kind=Kind.REPORT, key="report:1", actor=None, subject="Safer streets"):
    """notify_many as a service calls it: rows in a transaction, emails after commit."""
    with transaction.atomic():
        return notifications.notify_many(
            recipients={user.pk: "/consultations/safer-streets/report/" for user in recipients},
            kind=kind,
            key=key,
            subject=subject,
            actor=actor,
            excerpt="The official response report has been published.",
        )


def test_one_email_in_plain_text_and_html_with_absolute_links_and_unsubscribe_headers(
    make_user, django_capture_on_commit_callbacks
):
    citizen = make_user(display_name="Citizen")
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])

    [message] = mail.outbox
    assert message.to == [citizen.email]
    assert message.subject == "The response report of “Safer streets” is published"
    link = f"{SITE}/consultations/safer-streets/report/"
    assert link in message.body
    assert "The official response report has been published." in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html and f'href="{link}"' in html

    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/notifications/unsubscribe/") and header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Content-Language"] == "en"
    token = header[1:-1].removeprefix(f"{SITE}/notifications/unsubscribe/").rstrip("/")
    assert token_read(token) == (citizen, "report")
    assert header[1:-1] in message.body and header[1:-1] in html
    assert f"{SITE}/notifications/preferences/" in message.body
    # The whole message serialises: no header is broken.
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_bytes()
    assert Notification.objects.get().emailed_at is not None


def test_each_recipient_reads_it_in_their_own_language(
    make_user, prefer, django_capture_on_commit_callbacks
):
    chose_chinese = make_user()
    prefer(chose_chinese, language="zh-hans", last_language="en")
    last_used_chinese = make_user()
    prefer(last_used_chinese, last_language="zh-hans")
    english = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        tell([chose_chinese, last_used_chinese, english])

    stamp = Notification.objects.first().created_at
    for person, language in [
        (chose_chinese, "zh-hans"),
        (last_used_chinese, "zh-hans"),
        (english, "en"),
    ]:
        [message] = sent_to(person)
        html = message.alternatives[0].content
        assert message.extra_headers["Content-Language"] == language
        assert f'<html lang="{language}">' in html
        # Django's own date format for the language.
        chinese_date = f"{stamp.year}年{stamp.month}月{stamp.day}日"
        assert (chinese_date in message.body) == (language == "zh-hans")
        assert (chinese_date in html) == (language == "zh-hans")


def test_a_reply_names_who_replied_and_a_header_never_carries_a_line_break(
    make_user, django_capture_on_commit_callbacks
):
    citizen, replier = make_user(), make_user(display_name="Replier")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipient=citizen,
            kind=Kind.REPLY,
            key="reply:1",
            subject="Line one\r\nBcc: someone@example.org",
            url="/x/",
            actor=replier,
            excerpt="<b>bold</b> & more",
        )
    [message] = mail.outbox
    assert message.subject == (
        "Replier replied to your comment on “Line one Bcc: someone@example.org”"
    )
    lines = message.message().as_string().splitlines()
    assert not any(line.lower().startswith("bcc:") for line in lines)
    html = message.alternatives[0].content
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "<b>bold</b> & more" in message.body


def test_nothing_is_emailed_twice_and_a_failed_send_is_released_for_another_try(
    make_user, settings
):
    ok, failing = make_user(), make_user(email="fail@example.org")
    tell([ok, failing])  # no commit callbacks in this test: the worker runs below
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_emails.FailingFor"}}

    assert emails.send_immediate(key="report:1") == 1
    assert [m.to for m in mail.outbox] == [[ok.email]]
    assert Notification.objects.get(recipient=failing).emailed_at is None

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # The hourly retry sends it once it is a few minutes old, and never again.
    assert emails.send_pending() == 0
    later = timezone.now() + timedelta(minutes=11)
    assert emails.send_pending(now=later) == 1
    assert emails.send_pending(now=later) == 0
    assert emails.send_immediate(key="report:1") == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ok.email, failing.email])


class FailingFor(EmailBackend):
    def send_messages(self, messages):
        if any("fail@" in address for m in messages for address in m.to):
            raise OSError("the mail server said no")
        return super().send_messages(messages)


class Down(EmailBackend):
    def open(self):
        raise ConnectionRefusedError("no mail server")


def test_a_mail_server_that_is_down_leaves_everything_for_another_try(make_user, settings):
    tell([make_user(), make_user()])
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_emails.Down"}}
    with pytest.raises(ConnectionRefusedError):
        emails.send_immediate(key="report:1")
    assert Notification.objects.filter(emailed_at=None).count() == 2
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert emails.send_immediate(key="report:1") == 2


def test_a_notification_claimed_by_another_worker_is_not_sent_again(make_user):
    citizen = make_user()
    tell([citizen])
    note = Notification.objects.get()
    mine, _stamp = emails.claim([note.pk])
    assert mine == {note.pk}
    assert emails.claim([note.pk])[0] == set()
    assert emails.send_immediate(key="report:1") == 0
    assert mail.outbox == []


def test_only_active_accounts_with_a_verified_primary_address_and_immediate_delivery(
    make_user, prefer
):
    wants = make_user()
    unverified = make_user(verified=False)
    digest = make_user()
    prefer(digest, delivery="digest")
    muted = make_user()
    prefer(muted, email={"report": False})
    stopped = make_user()
    prefer(stopped, delivery="none")
    tell([wants, unverified, digest, muted, stopped])
    User.objects.filter(pk=wants.pk).update(is_active=False)
    assert emails.send_immediate(key="report:1") == 0
    User.objects.filter(pk=wants.pk).update(is_active=True)
    assert emails.send_immediate(key="report:1") == 1
    assert [m.to for m in mail.outbox] == [[wants.email]]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 4


def crowd(n: int, start: int = 0) -> list[User]:
    """Many people at once, verified, as a large consultation has them."""
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"crowd{i}@example.org", display_name=f"P{i}", password=password)
        for i in range(start, start + n)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users


# A batch: the notifications, the addresses (with their accounts), the
# preferences, and the claim (an update and a read-back).
QUERIES_PER_BATCH = 5


def test_emailing_many_takes_the_same_queries_for_3_or_300_people(
    django_assert_num_queries,
):
    for n, key in [(3, "report:3"), (300, "report:300")]:
        tell(crowd(n, start=n), key=key)
        mail.outbox.clear()
        with django_assert_num_queries(QUERIES_PER_BATCH):
            assert emails.send_immediate(key=key) == n
        assert len(mail.outbox) == n


def test_emailing_thousands_is_batched(django_assert_num_queries):
    """notify_many to 2,500 people: five batches of 500 and one empty read
    (bench/notifications.py measures larger crowds)."""
    people = crowd(2_500)
    # A savepoint and its release, who is active, and inserts of 1,000, 1,000 and 500.
    with django_assert_num_queries(6):
        assert tell(people) == 2_500
    with django_assert_num_queries(QUERIES_PER_BATCH * 5 + 1):
        assert emails.send_immediate(key="report:1") == 2_500
    assert len(mail.outbox) == 2_500
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_stop_all_link_is_not_a_kind(make_user):
    citizen = make_user()
    notifications.email_stop(user=citizen, kind=ALL_KINDS)
    assert citizen.notification_preference.delivery == "none"
    assert not citizen.notification_preference.emails("reply")


def test_headline_names_someone_when_the_actor_is_gone():
    note = Notification(
        kind=Kind.REPLY, subject="T", url="/", created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert emails.headline(note) == "Someone replied to your comment on “T”"


def test_telling_followers_takes_the_same_queries_for_3_or_300(
    make_proposal, django_assert_num_queries
):
    from proposals.models import Follow
    from proposals.tasks import closing_soon_notify

    now = timezone.now()
    for n in (3, 300):
        proposal = make_proposal(title=f"P{n}", opens_at=now, closes_at=now + timedelta(days=1))
        Follow.objects.bulk_create(Follow(proposal=proposal, user=u) for u in crowd(n, start=n))
        # The consultations closing soon; then for the one not yet told: a
        # savepoint, its followers not yet told, who is active, one insert, the release.
        with django_assert_num_queries(6):
            assert closing_soon_notify.call() == n
        type(proposal).objects.filter(pk=proposal.pk).update(status="closed")
