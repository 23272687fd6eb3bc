"""Roles granted and removed in the admin go through the services: checked,
recorded with who granted them, and on the audit log with the acting admin."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from consult.accounts import roles
from consult.accounts.models import AuditEntry, Membership, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def staff(make_user):
    staff = make_user("admin@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(staff, SECRET)
    return staff


@pytest.fixture
def admin(client, staff):
    """A staff admin signed in with the password and the second factor."""
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    code = format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))
    passed = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert passed.status_code == 302, passed.content.decode()[:500]
    assert client.get("/admin/").status_code == 200
    return client


def roles_form(tree, rows: list[dict], initial: int = 0) -> dict:
    data = {
        "name": "City office",
        "slug": "city-office",
        "jurisdiction": tree.city.pk,
        "parent": tree.ministry.pk,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
    }
    for i, row in enumerate(rows):
        data.update({f"memberships-{i}-{key}": value for key, value in row.items()})
    return data


def post(admin, tree, rows, initial=0):
    response = admin.post(
        f"/admin/accounts/department/{tree.city_office.pk}/change/",
        roles_form(tree, rows, initial),
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_role_granted_in_the_admin_is_on_the_audit_log(admin, staff, tree, make_user):
    citizen = make_user()

    post(admin, tree, [{"user": citizen.pk, "role": "official"}])

    membership = Membership.objects.get(user=citizen)
    assert membership.granted_by == staff
    assert roles.is_official_for(citizen, tree.district_office)
    entry = AuditEntry.objects.get(action="membership.granted")
    assert (entry.actor, entry.target_id, entry.department) == (
        staff,
        str(citizen.pk),
        tree.city_office,
    )
    assert entry.after == {"role": "official"}


def test_a_role_removed_in_the_admin_is_on_the_audit_log(admin, staff, tree, make_user, grant):
    citizen = grant(make_user(), tree.city_office, Role.MODERATOR)
    membership = Membership.objects.get(user=citizen)

    post(
        admin,
        tree,
        [{"id": membership.pk, "user": citizen.pk, "role": "moderator", "DELETE": "on"}],
        initial=1,
    )

    assert not Membership.objects.filter(user=citizen).exists()
    assert not roles.is_moderator_for(citizen, tree.city_office)
    entry = AuditEntry.objects.get(action="membership.revoked")
    assert (entry.actor, entry.target_id, entry.department) == (
        staff,
        str(citizen.pk),
        tree.city_office,
    )
    assert entry.before == {"role": "moderator"}


def test_a_role_changed_in_place_is_a_removal_and_a_grant(admin, staff, tree, make_user, grant):
    citizen = grant(make_user(), tree.city_office, Role.MODERATOR)
    membership = Membership.objects.get(user=citizen)

    post(admin, tree, [{"id": membership.pk, "user": citizen.pk, "role": "official"}], initial=1)

    [now] = Membership.objects.filter(user=citizen)
    assert (now.role, now.granted_by) == (Role.OFFICIAL, staff)
    actions = AuditEntry.objects.filter(actor=staff).order_by("pk")
    assert [(entry.action, entry.target_id) for entry in actions] == [
        ("membership.revoked", str(citizen.pk)),
        ("membership.granted", str(citizen.pk)),
    ]


def test_the_system_grants_without_an_entry_and_a_person_with_one(tree, make_user):
    from consult.accounts import services

    citizen, staff = make_user(), make_user(is_staff=True)
    services.membership_grant(actor=None, user=citizen, department=tree.ministry, role="official")
    assert not AuditEntry.objects.exists()
    services.membership_grant(actor=staff, user=citizen, department=tree.ministry, role="official")
    assert not AuditEntry.objects.exists()  # already held: nothing changed
    services.membership_revoke(actor=staff, user=citizen, department=tree.ministry, role="official")
    services.membership_revoke(actor=staff, user=citizen, department=tree.ministry, role="official")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["membership.revoked"]
