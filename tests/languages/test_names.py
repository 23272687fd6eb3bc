"""Departments, places and topics have a name in each of the site's
languages: written in the admin under the same rule as the name itself, and
shown in the reader's language in the list page's filters."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import translation
from taggit.models import Tag

from consult.accounts.models import Department, Jurisdiction
from proposals.models import Topic
from proposals.selectors import browse_choices
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def admin(client, make_user):
    staff = make_user("admin@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(staff, SECRET)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    code = format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    return client


def department_form(tree, **fields) -> dict:
    return {
        "name": "City office",
        "slug": "city-office",
        "jurisdiction": tree.city.pk,
        "parent": tree.ministry.pk,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **fields,
    }


def test_a_department_is_given_its_chinese_name_in_the_admin(admin, tree):
    url = f"/admin/accounts/department/{tree.city_office.pk}/change/"
    assert 'name="name_zh_hans"' in admin.get(url).content.decode()
    response = admin.post(url, department_form(tree, name_zh_hans="  市政  办公室 "))
    assert response.status_code == 302, response.content.decode()[:2000]
    tree.city_office.refresh_from_db()
    assert tree.city_office.translations == {"zh-hans": {"name": "市政 办公室"}}
    assert 'value="市政 办公室"' in admin.get(url).content.decode()


def test_a_hidden_character_in_a_chinese_name_is_refused(admin, tree):
    url = f"/admin/accounts/department/{tree.city_office.pk}/change/"
    response = admin.post(url, department_form(tree, name_zh_hans="市政\u202e办公室"))
    assert response.status_code == 200
    assert (
        "Use letters, numbers, spaces and ordinary punctuation only." in response.content.decode()
    )
    tree.city_office.refresh_from_db()
    assert tree.city_office.translations == {}


def test_emptying_the_chinese_name_removes_it(admin, tree):
    tree.city_office.translations = {"zh-hans": {"name": "市政办公室"}}
    tree.city_office.save()
    url = f"/admin/accounts/department/{tree.city_office.pk}/change/"
    assert admin.post(url, department_form(tree, name_zh_hans="")).status_code == 302
    tree.city_office.refresh_from_db()
    assert tree.city_office.translations == {}


def test_a_new_place_keeps_the_chinese_name_typed_with_it(admin, tree):
    response = admin.post(
        "/admin/accounts/jurisdiction/add/",
        {
            "name": "Riverton",
            "slug": "riverton",
            "level": "city",
            "parent": tree.nation.pk,
            "name_zh_hans": "河城",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    place = Jurisdiction.objects.get(slug="riverton")
    assert place.translations == {"zh-hans": {"name": "河城"}}
    assert place.path.endswith(f"{place.pk}/")


def test_a_new_department_keeps_the_chinese_name_typed_with_it(admin, tree):
    response = admin.post(
        "/admin/accounts/department/add/",
        department_form(tree, name="Transport office", slug="transport", name_zh_hans="交通办公室"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Department.objects.get(slug="transport").translations == {
        "zh-hans": {"name": "交通办公室"}
    }


def test_a_topic_is_given_its_chinese_name_in_the_admin(admin):
    tag = Tag.objects.create(name="transport", slug="transport")
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    response = admin.post(
        url,
        {
            "name": "transport",
            "slug": "transport",
            "name_zh_hans": "交通",
            "taggit_taggeditem_items-TOTAL_FORMS": "0",
            "taggit_taggeditem_items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Topic.objects.get(tag=tag).translations == {"zh-hans": {"name": "交通"}}
    assert 'value="交通"' in admin.get(url).content.decode()
    refused = admin.post(
        url,
        {
            "name": "transport",
            "slug": "transport",
            "name_zh_hans": "交\u200b通",
            "taggit_taggeditem_items-TOTAL_FORMS": "0",
            "taggit_taggeditem_items-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200
    assert Topic.objects.get(tag=tag).translations == {"zh-hans": {"name": "交通"}}


def test_the_filters_name_topics_departments_and_places_in_the_readers_language(
    tree, make_proposal
):
    proposal = make_proposal()
    proposal.tags.add("transport", "parks")
    Topic.objects.create(
        tag=Tag.objects.get(name="transport"), translations={"zh-hans": {"name": "交通"}}
    )
    tree.ministry.translations = {"zh-hans": {"name": "部"}}
    tree.ministry.save()
    tree.city.translations = {"zh-hans": {"name": "城市"}}
    tree.city.save()
    with translation.override("zh-hans"):
        choices = browse_choices()
    topics = {row["slug"]: row["name"] for row in choices["topics"]}
    assert topics == {"transport": "交通", "parks": "parks"}
    assert not topics["transport"].fallback and topics["parks"].fallback
    departments = {row["slug"]: row["name"] for row in choices["departments"]}
    assert departments["ministry"] == "部" and departments["other"] == "Other ministry"
    assert {row["slug"]: row["name"] for row in choices["jurisdictions"]}["city"] == "城市"
    with translation.override("en"):
        english = browse_choices()
    assert {row["slug"]: row["name"] for row in english["topics"]}["transport"] == "transport"


def test_the_list_page_marks_an_untranslated_name_in_its_filter(client, tree, make_proposal):
    make_proposal().tags.add("parks")
    tree.ministry.translations = {"zh-hans": {"name": "部"}}
    tree.ministry.save()
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = client.get("/consultations/").content.decode()
    assert 'value="ministry">部</option>' in page
    assert 'value="parks" lang="en">parks</option>' in page
