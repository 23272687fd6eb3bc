"""A person chooses which kinds come by email, how, and in which language;
the language they last used counts until they choose one. What this app
holds about them is in their data download, and goes when they are erased."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.signals import user_logged_in
from django.test import RequestFactory

from consult.accounts.signals import account_erasing, personal_data
from consult.notifications import services as notifications
from consult.notifications.models import Delivery, Kind, Notification, Preference
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"


def form_of(page) -> dict:
    soup = BeautifulSoup(page.content, "html.parser")
    return {
        "checked": sorted(i["value"] for i in soup.select("input[name=email_kinds][checked]")),
        "delivery": soup.select_one("input[name=delivery][checked]")["value"],
        "language": (soup.select_one("#id_language option[selected]") or {}).get("value", ""),
        "legends": [legend.get_text(" ", strip=True) for legend in soup.select("fieldset legend")],
        "labels": {
            label.get_text(" ", strip=True) for label in soup.select("label") if label.get("for")
        },
    }


def test_the_page_needs_signing_in_and_shows_the_defaults(client, make_user):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    client.force_login(make_user())
    page = client.get(URL)
    assert page.status_code == 200
    form = form_of(page)
    assert form["checked"] == sorted(Kind.values)
    assert form["delivery"] == "immediate" and form["language"] == ""
    assert form["legends"][:2] == ["Email me about:", "How to send them:"]
    assert (
        "A consultation you follow, or one on a topic, department or place you follow, "
        "closes within three days"
    ) in form["labels"]
    # It is linked from the inbox.
    assert URL in client.get("/notifications/").content.decode()


def test_saving_choices_shows_them_and_says_so(client, make_user):
    citizen = make_user()
    client.force_login(citizen)
    response = client.post(
        URL,
        {"email_kinds": ["reply", "opened"], "delivery": "digest", "language": "zh-hans"},
        follow=True,
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification preferences are saved." in response.content.decode()
    saved = Preference.objects.get(user=citizen)
    assert saved.delivery == Delivery.DIGEST and saved.language == "zh-hans"
    assert [k for k in Kind.values if saved.emails(k)] == ["reply", "opened"]
    form = form_of(client.get(URL))
    assert form["checked"] == ["opened", "reply"]
    assert (form["delivery"], form["language"]) == ("digest", "zh-hans")

    # Nothing ticked is a valid choice: no emails of any kind.
    client.post(URL, {"delivery": "immediate", "language": ""})
    saved.refresh_from_db()
    assert not any(saved.emails(k) for k in Kind.values)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email_kinds": ["reply", "everything"], "delivery": "immediate"}, "email_kinds"),
        ({"email_kinds": ["reply"], "delivery": "hourly"}, "delivery"),
        ({"email_kinds": ["reply"], "delivery": "digest", "language": "klingon"}, "language"),
        ({"email_kinds": ["reply"]}, "delivery"),
        ({"email_kinds": ["reply"], "delivery": ["digest", "x" * 10_000]}, "delivery"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(client, make_user, data, field):
    client.force_login(make_user())
    page = client.post(URL, data)
    assert page.status_code == 400
    soup = BeautifulSoup(page.content, "html.parser")
    summary = soup.select_one(".form-error-summary")
    assert summary is not None and summary.get("role") == "alert"
    assert "Select a valid choice" in summary.text or "This field is required" in summary.text
    assert not Preference.objects.exists()


def test_the_service_refuses_what_the_form_would_not_send(make_user):
    from django.core.exceptions import ValidationError

    citizen = make_user()
    with pytest.raises(ValidationError) as refused:
        notifications.preferences_update(
            actor=citizen, email_kinds=["nope"], delivery="weekly", language="xx"
        )
    assert set(refused.value.message_dict) == {"email_kinds", "delivery", "language"}
    assert "“nope” is not a kind of notification." in refused.value.message_dict["email_kinds"]
    assert not Preference.objects.exists()


def test_signing_in_records_the_language_unless_one_was_chosen(client, make_user):
    citizen = make_user(email="lang@example.org")
    client.cookies["django_language"] = "zh-hans"
    response = client.post("/accounts/login/", {"login": "lang@example.org", "password": PASSWORD})
    assert response.status_code == 302
    preference = Preference.objects.get(user=citizen)
    assert preference.last_language == "zh-hans" and preference.email_language() == "zh-hans"

    notifications.preferences_update(
        actor=citizen, email_kinds=["reply"], delivery="immediate", language="en"
    )
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "zh-hans"
    user_logged_in.send(sender=type(citizen), request=request, user=citizen)
    preference.refresh_from_db()
    assert preference.email_language() == "en"
    # A language the site does not offer is never recorded.
    request.LANGUAGE_CODE = "fr"
    user_logged_in.send(sender=type(citizen), request=request, user=citizen)
    preference.refresh_from_db()
    assert preference.last_language == "zh-hans"


def test_personal_data_holds_preferences_and_leaves_notifications_to_the_archive(make_user, prefer):
    citizen = make_user()
    prefer(citizen, email={"reply": False}, delivery="digest", language="zh-hans")
    notifications.notify(
        recipient=citizen, kind=Kind.REPLY, key="reply:1", subject="S", url="/x/", excerpt="E"
    )
    [(_receiver, data)] = [
        (r, d)
        for r, d in personal_data.send(sender=None, user=citizen)
        if "notification_preferences" in d
    ]
    json.dumps(data)
    [preference] = data["notification_preferences"]
    assert (preference["delivery"], preference["language"]) == ("digest", "zh-hans")
    assert preference["email"] == {"reply": False}
    # The archive's own notifications table holds them, without others' words (excerpts).
    assert "notifications" not in data


def test_erasing_an_account_deletes_its_preferences_and_notifications(make_user, prefer):
    citizen, other = make_user(), make_user()
    prefer(citizen, delivery="digest")
    notifications.notify(recipient=citizen, kind=Kind.REPLY, key="reply:1", subject="S", url="/")
    notifications.notify(
        recipient=other, kind=Kind.REPLY, key="reply:2", subject="S", url="/", actor=citizen
    )
    account_erasing.send(sender=None, user=citizen)
    assert not Preference.objects.filter(user=citizen).exists()
    assert not Notification.objects.filter(recipient=citizen).exists()
    # Others keep theirs; the account they point at shows as a deleted participant.
    assert Notification.objects.get(recipient=other).actor_id == citizen.pk


@pytest.mark.parametrize("people", [3, 30])
def test_unread_counts_are_pushed_with_one_query_however_many_people(
    make_user, people, django_assert_num_queries
):
    from consult.notifications.selectors import unread_counts
    from consult.notifications.tasks import push_unread

    users = [make_user() for _ in range(people)]
    for user in users[:2]:
        notifications.notify(
            recipient=user, kind=Kind.REPLY, key=f"reply:{user.pk}", subject="S", url="/"
        )
    with django_assert_num_queries(1):
        assert push_unread.call(user_ids=[u.pk for u in users]) == people
    counts = unread_counts(user_ids=[u.pk for u in users])
    assert counts[users[0].pk] == 1 and counts[users[-1].pk] == 0
