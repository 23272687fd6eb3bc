"""Staff act only from a session that passed the second factor, when the setting says so."""

import time
from urllib.parse import quote

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from consult.accounts import roles, rules
from consult.accounts.models import Membership
from tests.conftest import PASSWORD, grant_official

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(offset: int = 0) -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30 + offset))


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    """Signed in through allauth with a password (no factor was enrolled then)."""
    client.post("/accounts/login/", {"login": "staff@example.org", "password": PASSWORD})
    assert is_signed_in(client)
    client.user = staff
    return client


def test_requirement_is_on_by_default_outside_debug(settings):
    assert settings.DEBUG is False
    assert settings.CONSULT_STAFF_REQUIRE_MFA is True


def test_the_admin_password_form_is_refused(client, staff, tree, make_user):
    """Django's own admin form (email and password only) signs nobody in, and
    nothing it would have opened works."""
    TOTP.activate(staff, SECRET)
    citizen = make_user()

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote('/admin/', safe='')}"
    assert not is_signed_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    refused = grant_official(client, tree, citizen)
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    assert not Membership.objects.filter(user=citizen).exists()


def test_the_admin_sign_in_goes_through_allauth_with_the_second_factor(
    client, staff, tree, make_user
):
    TOTP.activate(staff, SECRET)
    citizen = make_user()
    login_page = client.get("/admin/", follow=True)
    assert login_page.redirect_chain[-1][0] == f"/accounts/login/?next={quote('/admin/', safe='')}"

    password = client.post(
        "/accounts/login/", {"login": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert password["Location"] == "/accounts/2fa/authenticate/"
    assert not is_signed_in(client)
    second = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})

    assert second.status_code == 302 and second["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert grant_official(client, tree, citizen).status_code == 302
    assert roles.is_official_for(citizen, tree.city_office)


def test_a_password_only_session_is_sent_to_the_second_factor_step(
    staff_client, staff, tree, make_user
):
    """Enrolled, but this session never used the factor: no staff powers until it does."""
    TOTP.activate(staff, SECRET)
    citizen = make_user()

    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/2fa/reauthenticate/?next={quote('/admin/', safe='')}"
    refused = grant_official(staff_client, tree, citizen)
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not Membership.objects.filter(user=citizen).exists()
    writes = staff_client.post("/notifications/read/")
    assert writes["Location"].startswith("/accounts/2fa/reauthenticate/")

    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert "second factor in this session" in page.content.decode()
    passed = staff_client.post(response["Location"], {"code": totp_code()})

    assert passed.status_code == 302 and passed["Location"] == "/admin/"
    assert staff_client.get("/admin/").status_code == 200
    assert grant_official(staff_client, tree, citizen).status_code == 302
    assert roles.is_official_for(citizen, tree.city_office)


def test_a_password_only_session_is_no_staff_admin_anywhere(staff_client, staff, make_user, rf):
    """Every staff-only check reads the session's state, not only the admin's."""
    from django.http import HttpResponse

    from consult.accounts.middleware import StaffSecondFactorMiddleware

    TOTP.activate(staff, SECRET)
    request = rf.get("/")
    request.user, request.session = staff, staff_client.session
    seen = []
    StaffSecondFactorMiddleware(
        lambda request: seen.append(rules.is_staff_admin(request.user)) or HttpResponse()
    )(request)
    assert seen == [False]

    queue = staff_client.get("/accounts/identity/review/")
    assert queue["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert queue["Location"].endswith(quote("/accounts/identity/review/", safe=""))
    sanctions_page = f"/discussion/people/{make_user().pk}/"
    refused = staff_client.get(sanctions_page)
    assert refused["Location"].startswith("/accounts/2fa/reauthenticate/")

    staff_client.post(refused["Location"], {"code": totp_code()})

    assert staff_client.get(sanctions_page).status_code == 200
    assert staff_client.get("/accounts/identity/review/").status_code == 200


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
    response = staff_client.post("/accounts/tokens/", {"name": "Script"})
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_requirement_can_be_turned_off(staff_client, settings):
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    assert staff_client.get("/admin/").status_code == 200


def test_citizens_are_never_asked(client, make_user):
    make_user("citizen@example.org")
    client.post("/accounts/login/", {"login": "citizen@example.org", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 403
