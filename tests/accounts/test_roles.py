"""Roles across the department hierarchy: a role held above also holds below."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from consult.accounts import roles, rules, services
from consult.accounts.models import Department, Role
from tests.conftest import grant_official

pytestmark = pytest.mark.django_db


def test_official_of_a_department_acts_for_every_department_below(tree, make_user, grant):
    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    assert roles.is_official_for(official, tree.ministry)
    assert roles.is_official_for(official, tree.city_office)
    assert roles.is_official_for(official, tree.district_office)
    assert not roles.is_official_for(official, tree.other_ministry)


def test_official_below_does_not_act_above(tree, make_user, grant):
    city_official = grant(make_user(), tree.city_office, Role.OFFICIAL)
    assert roles.is_official_for(city_official, tree.district_office)
    assert not roles.is_official_for(city_official, tree.ministry)


def test_roles_do_not_stand_in_for_each_other(tree, make_user, grant):
    moderator = grant(make_user(), tree.ministry, Role.MODERATOR)
    assert roles.is_moderator_for(moderator, tree.district_office)
    assert not roles.is_official_for(moderator, tree.district_office)


def test_citizens_anonymous_and_inactive_users_hold_no_role(tree, make_user, grant):
    citizen = make_user()
    inactive = grant(make_user(is_active=False), tree.ministry, Role.OFFICIAL)
    assert rules.is_citizen(citizen)
    assert not roles.is_official_for(citizen, tree.ministry)
    assert not roles.is_official_for(AnonymousUser(), tree.ministry)
    assert not roles.is_official_for(inactive, tree.ministry)


def test_role_check_is_one_query_at_any_depth(tree, make_user, grant, django_assert_num_queries):
    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    with django_assert_num_queries(1):
        assert roles.is_official_for(official, tree.district_office)


def test_departments_for_role_include_the_subtree(tree, make_user, grant):
    official = grant(make_user(), tree.city_office, Role.OFFICIAL)
    slugs = set(
        roles.department_ids_for_role(user=official, role=Role.OFFICIAL).values_list(
            "slug", flat=True
        )
    )
    assert slugs == {"city-office", "district"}


def test_moving_a_department_moves_its_subtree_and_its_roles_follow(tree, make_user, grant):
    official = grant(make_user(), tree.other_ministry, Role.OFFICIAL)
    services.department_move(actor=None, department=tree.city_office, parent=tree.other_ministry)
    district = Department.objects.get(slug="district")
    assert district.ancestor_ids() == [tree.other_ministry.pk, tree.city_office.pk, district.pk]
    assert roles.is_official_for(official, district)


def test_a_department_cannot_move_below_itself(tree):
    with pytest.raises(ValidationError):
        services.department_move(actor=None, department=tree.ministry, parent=tree.district_office)
    with pytest.raises(ValidationError):
        services.department_move(actor=None, department=tree.ministry, parent=tree.ministry)
    assert Department.objects.get(pk=tree.ministry.pk).parent is None


def test_admin_refuses_a_cycle_with_a_message_not_an_error_page(client, tree, make_user, settings):
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = f"/admin/accounts/department/{tree.ministry.pk}/change/"
    response = client.post(
        url,
        {
            "name": "Ministry",
            "slug": "ministry",
            "jurisdiction": tree.nation.pk,
            "parent": tree.district_office.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot be placed below itself" in response.content.decode()
    assert Department.objects.get(pk=tree.ministry.pk).parent is None


def test_roles_granted_in_the_admin_record_who_granted_them(client, tree, make_user, settings):
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    staff = make_user(is_staff=True, is_superuser=True)
    citizen = make_user()
    client.force_login(staff)
    response = grant_official(client, tree, citizen)
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = citizen.memberships.get()
    assert membership.granted_by == staff
    assert roles.is_official_for(citizen, tree.district_office)


def test_only_staff_change_roles(tree, make_user):
    citizen = make_user()
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=citizen, user=citizen, department=tree.ministry, role=Role.OFFICIAL
        )
    staff = make_user(is_staff=True)
    services.membership_grant(
        actor=staff, user=citizen, department=tree.ministry, role=Role.OFFICIAL
    )
    assert roles.is_official_for(citizen, tree.ministry)
    # Granting twice is harmless: one row.
    services.membership_grant(
        actor=staff, user=citizen, department=tree.ministry, role=Role.OFFICIAL
    )
    assert citizen.memberships.count() == 1
