"""A consultation that takes stances only from verified residents of its place."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussion.comments import services as discussion_services
from proposals.models import ProposalStance, SectionStance
from proposals.services import drafts, stances, versions
from tests.identity.conftest import verified_resident


@pytest.fixture
def limited(open_proposal, people):
    """The city office's open consultation on the city, now for verified residents only."""
    return drafts.proposal_update(
        actor=people.official,
        proposal=open_proposal,
        title=open_proposal.title,
        summary=open_proposal.summary,
        jurisdiction=open_proposal.jurisdiction,
        requires_verification=True,
    )


def test_a_verified_resident_of_a_district_takes_a_stance_on_a_city_consultation(
    limited, places, make_user, reviewers
):
    resident = make_user()
    verified_resident(resident, places.district, reviewers.staff, "AB123456")
    section = limited.sections.first()
    stances.stance_cast(actor=resident, proposal=limited, value="support")
    stances.stance_cast(actor=resident, proposal=limited, section=section, value="oppose")
    assert ProposalStance.objects.get(user=resident).value == "support"
    assert SectionStance.objects.get(user=resident).value == "oppose"


def test_someone_not_verified_there_is_refused_with_the_place_and_the_way_to_verify(
    limited, places, make_user, reviewers
):
    unverified = make_user()
    elsewhere = make_user()
    verified_resident(elsewhere, places.other_city, reviewers.staff, "CD987654")
    for person in (unverified, elsewhere):
        with pytest.raises(ValidationError) as refused:
            stances.stance_cast(actor=person, proposal=limited, value="support")
        message = " ".join(refused.value.messages)
        assert "limited to verified residents of City" in message
        assert f"/accounts/identity/?jurisdiction={limited.jurisdiction_id}" in message
    assert not ProposalStance.objects.exists()


def test_a_city_resident_is_not_a_resident_of_each_of_its_districts(
    people, tree, places, make_user, reviewers
):
    from consult.testing.data import open_consultation

    district_consultation = open_consultation(
        official=people.official,
        department=tree.city_office,
        jurisdiction=places.district,
        title="Riverside parks",
    )
    district_consultation.requires_verification = True
    district_consultation.save(update_fields=["requires_verification"])
    city_resident = make_user()
    verified_resident(city_resident, places.city, reviewers.staff, "AB123456")
    with pytest.raises(ValidationError, match="verified residents of Riverside"):
        stances.stance_cast(actor=city_resident, proposal=district_consultation, value="support")


def test_commenting_and_reading_stay_open_to_everyone(client, limited, make_user):
    person = make_user()
    comment = discussion_services.comment_create(
        actor=person, proposal=limited, body="I live elsewhere but I care."
    )
    assert comment.pk
    client.force_login(person)
    assert client.get(limited.get_absolute_url()).status_code == 200


def test_the_stance_form_shows_the_rule_and_the_way_to_verify_instead_of_the_buttons(
    client, limited, places, make_user, reviewers
):
    person = make_user()
    client.force_login(person)
    page = client.get(limited.get_absolute_url()).content.decode()
    assert "Stances here are limited to verified residents of City." in page
    assert f'href="/accounts/identity/?jurisdiction={limited.jurisdiction_id}"' in page
    assert "Verify that you live in City to take a stance" in page
    assert 'name="value"' not in page
    # Posting anyway is refused with the message, and nothing is written.
    answer = client.post(
        reverse("proposals:stance", args=[limited.slug]), {"value": "support"}, follow=True
    )
    assert "limited to verified residents of City" in answer.content.decode()
    assert not ProposalStance.objects.exists()
    # Once verified, the buttons are there, with the note.
    verified_resident(person, places.district, reviewers.staff, "AB123456")
    page = client.get(limited.get_absolute_url()).content.decode()
    assert "Stances here are limited to verified residents of City." in page
    assert 'name="value"' in page
    assert "Verify that you live in City" not in page


def test_a_consultation_open_to_all_shows_no_note(client, open_proposal, make_user):
    client.force_login(make_user())
    page = client.get(open_proposal.get_absolute_url()).content.decode()
    assert "limited to verified residents" not in page
    assert 'name="value"' in page


def test_the_page_asks_once_however_many_sections_it_has(client, limited, people, make_user):
    client.force_login(make_user())
    url = limited.get_absolute_url()
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for n in range(6):
        drafts.section_add(
            actor=people.official, proposal=limited, heading=f"More {n}", body="Text."
        )
    versions.version_publish(actor=people.official, proposal=limited, change_note="v2")
    assert count() == few


def test_the_official_sets_the_rule_in_the_manage_form(client, open_proposal, people):
    client.force_login(people.official)
    url = reverse("manage:proposal", args=[open_proposal.pk])
    page = client.get(url).content.decode()
    assert 'name="requires_verification"' in page
    data = {
        "jurisdiction": open_proposal.jurisdiction_id,
        "title": open_proposal.title,
        "summary": open_proposal.summary,
        "requires_verification": "on",
    }
    assert client.post(url, data).status_code == 302
    open_proposal.refresh_from_db()
    assert open_proposal.requires_verification
    tag = re.search(r'<input[^>]*name="requires_verification"[^>]*>', client.get(url).text)
    assert tag and "checked" in tag.group(0)
    del data["requires_verification"]
    client.post(url, data)
    open_proposal.refresh_from_db()
    assert not open_proposal.requires_verification


def test_a_new_draft_can_require_verification_from_the_start(people, tree):
    created = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Residents only",
        summary="S",
        requires_verification=True,
    )
    assert created.requires_verification
