"""Stances: one per citizen per target, changeable while open, frozen after."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from proposals.models import Proposal, ProposalStance, SectionStance, Status
from proposals.services import drafts, lifecycle, stances, versions

pytestmark = pytest.mark.django_db


def test_one_stance_per_citizen_per_section_and_it_can_change(open_proposal, people):
    section = open_proposal.sections.first()
    stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, section=section, value="support"
    )
    stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, section=section, value="oppose"
    )
    stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="neutral")
    assert list(SectionStance.objects.values_list("value", flat=True)) == ["oppose"]
    assert list(ProposalStance.objects.values_list("value", flat=True)) == ["neutral"]
    # Counted once each for "sort by activity", however often changed.
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == 2


def test_a_stance_remembers_the_version_it_was_made_on(open_proposal, people):
    section = open_proposal.sections.first()
    stance = stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, section=section, value="support"
    )
    assert stance.version.number == 1
    drafts.section_update(
        actor=people.official, section=section, heading="Purpose", body="Changed text"
    )
    versions.version_publish(actor=people.official, proposal=open_proposal, change_note="v2")
    # Unchanged stances stay on the version they were made on ...
    assert SectionStance.objects.get().version.number == 1
    # ... and a changed one moves to the version it was changed on.
    stances.stance_cast(
        actor=people.citizen, proposal=open_proposal, section=section, value="oppose"
    )
    assert SectionStance.objects.get().version.number == 2


@pytest.mark.parametrize("how", ["closed", "withdrawn", "scheduled", "draft"])
def test_no_stance_outside_the_open_window(published, open_proposal, people, how):
    proposal = open_proposal
    if how == "closed":
        lifecycle.proposal_close_early(actor=people.official, proposal=proposal, reason="Done")
    elif how == "withdrawn":
        lifecycle.proposal_withdraw(actor=people.official, proposal=proposal, reason="Superseded")
    elif how == "scheduled":
        Proposal.objects.filter(pk=proposal.pk).update(opens_at=timezone.now() + timedelta(days=1))
    else:
        Proposal.objects.filter(pk=proposal.pk).update(status=Status.DRAFT)
    with pytest.raises(ValidationError) as refused:
        stances.stance_cast(actor=people.citizen, proposal=proposal, value="support")
    assert "only be taken while the consultation is open" in refused.value.messages[0]
    assert not ProposalStance.objects.exists()


def test_a_closed_consultation_freezes_existing_stances(open_proposal, people):
    stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="support")
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    with pytest.raises(ValidationError):
        stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="oppose")
    assert ProposalStance.objects.get().value == "support"


def test_anonymous_and_bad_values_are_refused(open_proposal, people, tree):
    with pytest.raises(PermissionDenied):
        stances.stance_cast(actor=people.anonymous, proposal=open_proposal, value="support")
    with pytest.raises(ValidationError, match="Choose support, oppose or neutral"):
        stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="maybe")
    stranger = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Other",
        summary="S",
    )
    foreign = drafts.section_add(actor=people.official, proposal=stranger, heading="H", body="B")
    with pytest.raises(ValidationError, match="not part of the published text"):
        stances.stance_cast(
            actor=people.citizen, proposal=open_proposal, section=foreign, value="support"
        )
    assert not SectionStance.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_votes_by_the_same_person_leave_exactly_one_row(tree, make_user, grant):
    from consult.accounts.models import Role
    from consult.testing.data import open_consultation

    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    citizen = make_user()
    proposal = open_consultation(
        official=official, department=tree.ministry, jurisdiction=tree.nation, title="Race"
    )
    section = proposal.sections.get()
    for attempt in range(5):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def vote(value: str, barrier=barrier, errors=errors) -> None:
            try:
                barrier.wait()
                stances.stance_cast(actor=citizen, proposal=proposal, section=section, value=value)
                stances.stance_cast(actor=citizen, proposal=proposal, value=value)
            except BaseException as error:  # reported below, not swallowed
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=vote, args=(v,)) for v in ("support", "oppose")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], f"attempt {attempt}: {errors}"
        assert SectionStance.objects.filter(user=citizen).count() == 1
        assert ProposalStance.objects.filter(user=citizen).count() == 1
        SectionStance.objects.all().delete()
        ProposalStance.objects.all().delete()


def test_the_page_shows_counts_per_section_as_a_heatmap(client, open_proposal, people, make_user):
    first, second = open_proposal.sections.order_by("order")
    for n, value in enumerate(["support", "support", "oppose"]):
        voter = make_user()
        stances.stance_cast(actor=voter, proposal=open_proposal, section=first, value=value)
        if n == 0:
            stances.stance_cast(
                actor=voter, proposal=open_proposal, section=second, value="neutral"
            )
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get(open_proposal.get_absolute_url()).content, "html.parser")
    table = soup.find("table", class_="heatmap")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }
    assert rows["Purpose"] == ["2 (67%)", "1 (33%)", "0 (0%)", "3"]
    assert rows["Limits"] == ["0 (0%)", "0 (0%)", "1 (100%)", "1"]
    assert table.caption.get_text(strip=True)
    assert "heat-support-7" in str(table)  # 67% support shades darker


def test_stance_form_posts_and_a_withdrawn_draft_gets_a_clear_message(
    client, open_proposal, people
):
    client.force_login(people.citizen)
    section = open_proposal.sections.first()
    url = f"{open_proposal.get_absolute_url()}stance/"
    response = client.post(url, {"value": "support", "section": section.pk}, follow=True)
    assert "Your stance is recorded" in response.content.decode()
    assert SectionStance.objects.get().value == "support"
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Superseded")
    response = client.post(url, {"value": "oppose", "section": section.pk}, follow=True)
    assert (
        "Stances can only be taken while the consultation is open; it is withdrawn."
        in response.content.decode()
    )
    assert SectionStance.objects.get().value == "support"
    for junk in ({"value": "maybe"}, {"value": "support", "section": "abc"}, {}):
        assert client.post(url, junk).status_code == 302
    assert client.post(url, {"value": "support", "section": 999999}).status_code == 404
