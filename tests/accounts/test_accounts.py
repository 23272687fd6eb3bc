"""Sign-up with email verification, sign-in by email, display names kept safe."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError

from consult.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.citizen@example.org",
    "display_name": "New Citizen",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_requires_email_verification_before_sign_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"

    user = User.objects.get(email="new.citizen@example.org")
    assert user.display_name == "New Citizen"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session

    # Signing in before verifying sends the person back to verify.
    response = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    # The verification email went out through the task queue, to the right person.
    assert len(mail.outbox) >= 1
    message = mail.outbox[-1]
    assert message.to == ["new.citizen@example.org"]
    link = confirmation_link(message)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_with_email_in_any_case(client, make_user):
    user = make_user("Mixed.Case@example.org")
    assert user.email == "mixed.case@example.org"
    response = client.post(
        "/accounts/login/", {"login": "MIXED.case@EXAMPLE.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_gets_a_message_not_a_session(client, make_user):
    make_user("someone@example.org")
    response = client.post("/accounts/login/", {"login": "someone@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_account_per_email_whatever_the_case(make_user):
    make_user("unique@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="UNIQUE@example.org", display_name="Twin")


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("   ", "This field is required."),
        ("\u200b\u200b", "ordinary punctuation"),
        ("Evil\u202eeman", "ordinary punctuation"),
    ],
)
def test_sign_up_refuses_blank_or_disguised_display_names(client, display_name, message):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": display_name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_display_name_is_escaped_wherever_it_is_shown(client, make_user):
    make_user("xss@example.org", display_name='<script>alert("x")</script>')
    client.post("/accounts/login/", {"login": "xss@example.org", "password": PASSWORD})
    html = client.get("/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_password_reset_sends_a_working_link(client, make_user, django_capture_on_commit_callbacks):
    make_user("forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        form_url, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="forgetful@example.org").check_password("a brand new passphrase")


def test_emoji_sequences_are_welcome_in_display_names(client):
    family = "Sam \U0001f468\u200d\U0001f469\u200d\U0001f467"
    client.post("/accounts/signup/", {**SIGNUP, "display_name": family})
    assert User.objects.get(email=SIGNUP["email"]).display_name == family
