"""consult.accounts.roles answers "does this person hold this role here"
for every caller, and a suspended or banned person holds no role powers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consult.accounts import roles
from consult.accounts.models import Department, Role, User

pytestmark = pytest.mark.django_db


def powers(user: User, tree) -> dict:
    scoped = Department.objects.filter(
        roles.in_role_scope(user, Role.OFFICIAL, "path"), pk=tree.district_office.pk
    )
    return {
        "official_here": roles.is_official_for(user, tree.district_office),
        "anywhere": roles.holds_role(user, Role.OFFICIAL),
        "held": roles.roles_held(user),
        "departments": set(
            roles.department_ids_for_role(user=user, role=Role.OFFICIAL).values_list(
                "slug", flat=True
            )
        ),
        "granted": roles.granted_department_ids(user_id=user.pk, role=Role.OFFICIAL),
        "in_scope": scoped.exists(),
    }


HOLDS = {
    "official_here": True,
    "anywhere": True,
    "held": frozenset({"official"}),
    "departments": {"city-office", "district"},
    "in_scope": True,
}
NONE = {
    "official_here": False,
    "anywhere": False,
    "held": frozenset(),
    "departments": set(),
    "granted": [],
    "in_scope": False,
}


@pytest.mark.parametrize(
    "sanction",
    [
        {"suspended_until": timezone.now() + timedelta(days=3)},
        {"banned_at": timezone.now()},
        {"is_active": False},
    ],
    ids=["suspended", "banned", "inactive"],
)
def test_a_sanctioned_person_holds_no_role_powers_until_it_ends(make_user, tree, grant, sanction):
    official = grant(make_user(), tree.city_office, Role.OFFICIAL)
    assert powers(official, tree) == {**HOLDS, "granted": [tree.city_office.pk]}

    User.objects.filter(pk=official.pk).update(**sanction)
    official.refresh_from_db()
    assert powers(official, tree) == NONE

    User.objects.filter(pk=official.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1), banned_at=None, is_active=True
    )
    official.refresh_from_db()
    assert powers(official, tree) == {**HOLDS, "granted": [tree.city_office.pk]}


def test_nobody_signed_in_holds_nothing(tree):
    anonymous = AnonymousUser()
    assert not roles.is_moderator_for(anonymous, tree.ministry)
    assert not roles.holds_role(anonymous, Role.MODERATOR)
    assert roles.roles_held(anonymous) == frozenset()
    assert not roles.department_ids_for_role(user=anonymous, role=Role.MODERATOR).exists()


def test_the_menu_shows_no_role_screens_to_a_suspended_official(client, make_user, tree, grant):
    from consult.context_processors import roles as menu

    official = grant(make_user(), tree.city_office, Role.OFFICIAL)

    class Request:
        user = official

    assert menu(Request())["is_official"]
    official.suspended_until = timezone.now() + timedelta(days=1)
    assert not menu(Request())["is_official"]


def test_a_granted_role_is_known_even_while_its_powers_are_suspended(make_user, tree, grant):
    official = grant(make_user(), tree.city_office, Role.OFFICIAL)
    User.objects.filter(pk=official.pk).update(banned_at=timezone.now())
    assert roles.granted_any_role(user_id=official.pk)
    assert not roles.granted_any_role(user_id=make_user().pk)
