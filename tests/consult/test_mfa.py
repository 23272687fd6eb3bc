"""Staff need a second factor before they act, when the setting says so."""

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    staff = make_user("staff@example.org", is_staff=True, is_superuser=True)
    client.post("/accounts/login/", {"login": "staff@example.org", "password": PASSWORD})
    client.user = staff
    return client


def test_requirement_is_on_by_default_outside_debug(settings):
    assert settings.DEBUG is False
    assert settings.CONSULT_STAFF_REQUIRE_MFA is True


def test_staff_without_second_factor_is_sent_to_set_one_up(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_without_second_factor_cannot_write_but_can_read(staff_client):
    assert staff_client.get("/").status_code == 200
    response = staff_client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 302  # the language switch is always open
    # The set-up page itself stays reachable (allauth may ask for the password again first).
    response = staff_client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    assert all(url.startswith("/accounts/") for url, _status in response.redirect_chain)


def test_staff_with_totp_reaches_the_admin(staff_client):
    Authenticator.objects.create(
        user=staff_client.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert staff_client.get("/admin/").status_code == 200


def test_requirement_can_be_turned_off(staff_client, settings):
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    assert staff_client.get("/admin/").status_code == 200


def test_citizens_are_never_asked(client, make_user):
    make_user("citizen@example.org")
    client.post("/accounts/login/", {"login": "citizen@example.org", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
