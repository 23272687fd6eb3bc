"""The link in every email stops emails without signing in: a page with a
button, the mail client's one-click POST, and a clear refusal of a link
that is not ours."""

import pytest
from django.core import signing
from django.test import Client

from consult.notifications.models import Delivery, Preference
from consult.notifications.unsubscribe import SALT, token_for

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/notifications/unsubscribe/{token}/"


def preference(user) -> Preference:
    return Preference.objects.get(user=user)


def test_the_page_asks_first_and_a_get_changes_nothing(client, make_user):
    citizen = make_user()
    page = client.get(url(token_for(user=citizen, kind="reply")))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stop emails about: A reply to your comment?" in text
    assert "Stop these emails" in text and "Stop all emails" in text
    assert 'name="robots" content="noindex"' in text
    assert not Preference.objects.exists()


def test_posting_the_form_stops_that_kind_and_offers_to_stop_all(make_user):
    citizen = make_user()
    browser = Client(enforce_csrf_checks=True)
    token = token_for(user=citizen, kind="reply")
    page = browser.post(url(token), {"what": "reply"})
    assert page.status_code == 200
    assert "You will get no more emails about: A reply to your comment." in page.content.decode()
    assert preference(citizen).emails("reply") is False
    assert preference(citizen).emails("response") is True
    assert "Stop all emails" in page.content.decode()

    page = browser.post(url(token), {"what": "all"})
    assert "You will get no more emails about notifications." in page.content.decode()
    assert preference(citizen).delivery == Delivery.NONE
    # What they chose per kind is kept, for when they turn emails back on.
    assert preference(citizen).kind_on("response") is True


def test_one_click_from_a_mail_client_needs_no_session_and_no_csrf_token(make_user):
    citizen = make_user()
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        url(token_for(user=citizen, kind="version")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert preference(citizen).emails("version") is False
    assert preference(citizen).emails("reply") is True

    # The digest's link stops everything.
    mail_client.post(
        url(token_for(user=citizen, kind="all")),
        {"List-Unsubscribe": "One-Click"},
    )
    assert preference(citizen).delivery == Delivery.NONE


def test_the_token_decides_not_whoever_is_signed_in(client, make_user):
    owner, other = make_user(), make_user()
    client.force_login(other)
    client.post(url(token_for(user=owner, kind="report")), {"what": "report"})
    assert preference(owner).emails("report") is False
    assert not Preference.objects.filter(user=other, email__has_key="report").exists()


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "x" * 5000,
        "W1sxLCJyZXBseSIsIngiXQ:AAAA",
        "%00",
        "e30:abc:def",
    ],
)
def test_a_garbled_link_is_refused_with_a_clear_page(client, make_user, token):
    make_user()
    for method in (client.get, client.post):
        response = method(url(token))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_tampered_or_forged_or_outdated_link_is_refused(client, make_user):
    citizen, other = make_user(), make_user()
    token = token_for(user=citizen, kind="reply")
    payload, signature = token.rsplit(":", 1)
    tampered = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    forged_other = signing.dumps([other.pk, "reply", "0" * 16], salt=SALT)
    wrong_salt = signing.dumps([citizen.pk, "reply", "0" * 16])
    unknown_kind = signing.dumps([citizen.pk, "everything", "0" * 16], salt=SALT)
    not_a_list = signing.dumps({"user": citizen.pk}, salt=SALT)
    for bad in (tampered, forged_other, wrong_salt, unknown_kind, not_a_list):
        assert client.post(url(bad), {"what": "all"}).status_code == 400

    # The account anonymised (its address replaced) or deleted: the old link stops.
    citizen.email = "deleted-1@invalid"
    citizen.save(update_fields=["email"])
    assert client.get(url(token)).status_code == 400
    gone = token_for(user=other, kind="all")
    other.delete()
    assert client.get(url(gone)).status_code == 400
    assert not Preference.objects.exists()
