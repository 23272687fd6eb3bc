"""The staff's way in to entering responses received outside the website:
officials and data entry clerks of a department (or one above) find the
consultations whose published form takes entries; nobody else does. A
clerk signs in as an official does and reaches the list; the admin grants
the role."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from consult.accounts import roles
from consult.accounts.models import Role
from consult.testing.data import open_consultation
from discussion.submissions.services import can_enter_for
from proposals.questionnaire.selectors import entry_url
from proposals.services import drafts, lifecycle
from tests.conftest import PASSWORD
from tests.proposals.conftest import People

pytestmark = pytest.mark.django_db

LIST = "/discussion/responses/enter/"


@pytest.fixture
def people(tree, make_user, grant) -> People:
    """Every role around the city office, as tests/proposals has them."""
    return People(
        anonymous=None,
        citizen=make_user(display_name="Citizen"),
        moderator=grant(make_user(display_name="Moderator"), tree.city_office, Role.MODERATOR),
        official=grant(make_user(display_name="Official"), tree.city_office, Role.OFFICIAL),
        parent_official=grant(make_user(display_name="Parent"), tree.ministry, Role.OFFICIAL),
        other_official=grant(make_user(display_name="Other"), tree.other_ministry, Role.OFFICIAL),
    )


@pytest.fixture
def clerk(make_user, grant, tree):
    """A data entry clerk of the city office."""
    return grant(make_user("clerk@example.org", display_name="Clerk"), tree.city_office, Role.CLERK)


@pytest.fixture
def consultations(people, tree):
    """The city office's open consultation with a form, one without a form,
    and its draft; the other ministry's open consultation with a form."""

    def make(title, official, department, jurisdiction, form=True):
        return open_consultation(
            official=official,
            department=department,
            jurisdiction=jurisdiction,
            title=title,
            form=form,
        )

    return {
        "with_form": make("Street trees", people.official, tree.city_office, tree.city),
        "without_form": make("Quiet hours", people.official, tree.city_office, tree.city, False),
        "draft": drafts.proposal_create(
            actor=people.official,
            department=tree.city_office,
            jurisdiction=tree.city,
            title="A draft",
            summary="Not public.",
        ),
        "elsewhere": make("Harbour plan", people.other_official, tree.other_ministry, tree.nation),
    }


def listed(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [th.get_text(" ", strip=True) for th in page.select("tbody th")]


@pytest.mark.parametrize(
    ("who", "status", "titles"),
    [
        ("citizen", 403, None),
        ("moderator", 403, None),
        ("official", 200, ["Street trees"]),
        ("parent_official", 200, ["Street trees"]),
        ("other_official", 200, ["Harbour plan"]),
        ("clerk", 200, ["Street trees"]),
    ],
)
def test_officials_and_clerks_see_the_consultations_they_may_enter_for(
    client, people, clerk, consultations, who, status, titles
):
    person = clerk if who == "clerk" else people.by_name(who)
    client.force_login(person)
    response = client.get(LIST)
    assert response.status_code == status
    if titles is None:
        return
    shown = [title.replace(" (enter a response)", "") for title in listed(response)]
    assert shown == titles
    # The list agrees with the rule the entry service applies.
    for proposal in consultations.values():
        if proposal.title in shown:
            assert can_enter_for(person, proposal)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_closed_consultation_still_takes_entries_a_withdrawn_one_does_not(
    client, people, consultations
):
    client.force_login(people.official)
    with_form = consultations["with_form"]
    lifecycle.proposal_close_early(actor=people.official, proposal=with_form, reason="Done")
    assert listed(client.get(LIST)) == [
        "Street trees (enter a response)" if entry_url(with_form.slug) else "Street trees"
    ]
    lifecycle.proposal_withdraw(actor=people.official, proposal=with_form, reason="Gone")
    assert listed(client.get(LIST)) == []


def test_each_consultation_links_to_its_entry_page_when_that_page_exists(
    client, people, consultations
):
    client.force_login(people.official)
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    url = entry_url(consultations["with_form"].slug)
    link = page.select_one("tbody th a")
    if url is None:
        assert link is None
    else:
        assert link["href"] == url


@pytest.mark.urls("tests.discussion.submissions.entry_urls")
def test_the_entry_link_is_built_when_the_entry_page_exists():
    assert entry_url("street-trees") == "/discussion/consultations/street-trees/form/enter/"


@pytest.mark.urls("tests.discussion.submissions.no_entry_urls")
def test_no_entry_link_when_the_entry_page_does_not_exist():
    assert entry_url("street-trees") is None


def test_the_officials_dashboard_and_the_manage_address_lead_to_the_list(client, people):
    client.force_login(people.official)
    dashboard = client.get("/manage/").content.decode()
    assert 'href="/manage/responses/"' in dashboard
    response = client.get("/manage/responses/")
    assert (response.status_code, response["Location"]) == (302, LIST)


def test_a_clerk_signs_in_with_a_password_and_reaches_the_list_from_the_menu(
    client, clerk, consultations, settings
):
    # Like officials, clerks are not staff admins: the second factor that
    # staff need (consult.accounts.second_factor) is not asked of them.
    assert settings.CONSULT_STAFF_REQUIRE_MFA is True
    assert not clerk.is_staff
    client.post("/accounts/login/", {"login": "clerk@example.org", "password": PASSWORD})
    home = BeautifulSoup(client.get("/").content, "html.parser")
    menu = home.find("nav", class_="site-nav")
    assert menu.find("a", string="Enter responses")["href"] == LIST
    assert menu.find("a", string="Manage") is None
    response = client.get(LIST)
    assert response.status_code == 200
    assert [t.split(" (")[0] for t in listed(response)] == ["Street trees"]


def test_the_admin_offers_the_clerk_role_and_grants_it(client, make_user, tree, settings):
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    staff = make_user(is_staff=True, is_superuser=True)
    person = make_user()
    client.force_login(staff)
    url = f"/admin/accounts/department/{tree.city_office.pk}/change/"
    page = client.get(url).content.decode()
    assert '<option value="clerk">Data entry clerk</option>' in page
    response = client.post(
        url,
        {
            "name": "City office",
            "slug": "city-office",
            "jurisdiction": tree.city.pk,
            "parent": tree.ministry.pk,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": person.pk,
            "memberships-0-role": "clerk",
        },
    )
    assert response.status_code == 302
    assert roles.is_clerk_for(person, tree.district_office)
    assert not roles.is_official_for(person, tree.city_office)


@pytest.mark.parametrize("size", [1, 10])
def test_the_list_reads_a_fixed_number_of_queries(
    client, people, tree, size, django_assert_max_num_queries
):
    for n in range(size):
        open_consultation(
            official=people.official,
            department=tree.city_office,
            jurisdiction=tree.city,
            title=f"Consultation {n}",
            form=True,
        )
    client.force_login(people.official)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert len(listed(response)) == size


def test_the_list_speaks_chinese(client, clerk, consultations):
    client.force_login(clerk)
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    assert page.find("h1").get_text(strip=True) == "录入答复"
    assert page.find("th", string="迄今由工作人员录入")
