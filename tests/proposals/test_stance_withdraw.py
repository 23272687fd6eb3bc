"""Taking a stance back, on the whole proposal or on a section: the row
goes, the tallies drop (live too), only while the consultation is open, and
no error when there is nothing to take back."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from discussion.models import Event
from proposals import selectors
from proposals.models import Proposal, ProposalStance, SectionStance
from proposals.services import lifecycle, stances

pytestmark = pytest.mark.django_db


def tally(proposal, section_id=None) -> tuple[int, int, int]:
    counts = selectors.stance_tallies(proposal).get(section_id)
    return (counts.support, counts.oppose, counts.neutral) if counts else (0, 0, 0)


def test_a_withdrawn_stance_is_gone_and_the_tallies_drop(
    open_proposal, people, make_user, django_capture_on_commit_callbacks
):
    section = open_proposal.sections.first()
    other = make_user()
    cast = stances.stance_cast
    cast(actor=people.citizen, proposal=open_proposal, value="oppose")
    cast(actor=people.citizen, proposal=open_proposal, section=section, value="support")
    cast(actor=other, proposal=open_proposal, section=section, value="support")
    assert tally(open_proposal, section.pk) == (2, 0, 0)
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == 3

    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = stances.stance_withdraw(
            actor=people.citizen, proposal=open_proposal, section=section
        )
    assert withdrawn is True
    assert tally(open_proposal, section.pk) == (1, 0, 0)
    assert not SectionStance.objects.filter(user=people.citizen).exists()
    assert ProposalStance.objects.filter(user=people.citizen).exists()  # the other stays
    event = Event.objects.filter(type="stance.tallies").latest("seq")
    assert event.payload["stances"][str(section.pk)] == [1, 0, 0]

    assert stances.stance_withdraw(actor=people.citizen, proposal=open_proposal) is True
    assert tally(open_proposal) == (0, 0, 0)
    assert not ProposalStance.objects.exists()
    # Taking back uncounts the taking: repeating both cannot lift the consultation.
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == 1

    # Nothing left to take back: no error, nothing moves.
    assert stances.stance_withdraw(actor=people.citizen, proposal=open_proposal) is False
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == 1


def test_no_withdrawal_once_the_consultation_has_closed(open_proposal, people):
    stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="support")
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    with pytest.raises(ValidationError) as refused:
        stances.stance_withdraw(actor=people.citizen, proposal=open_proposal)
    assert refused.value.messages == [
        "Stances can only be taken while the consultation is open; it is closed."
    ]
    assert ProposalStance.objects.get().value == "support"


def test_the_plain_form_withdraws_on_the_proposal_and_on_a_section(client, open_proposal, people):
    section = open_proposal.sections.first()
    client.force_login(people.citizen)
    url = f"{open_proposal.get_absolute_url()}stance/"

    def withdraw_buttons():
        page = BeautifulSoup(client.get(open_proposal.get_absolute_url()).content, "html.parser")
        return page.select("form.stance-form button[name=withdraw]")

    assert withdraw_buttons() == []  # nothing to take back yet
    # A withdrawal with no stance: back to the page, no error page.
    assert client.post(url, {"withdraw": "1"}).status_code == 302
    client.post(url, {"value": "support"})
    client.post(url, {"value": "neutral", "section": section.pk})
    assert len(withdraw_buttons()) == 2

    response = client.post(url, {"withdraw": "1", "section": section.pk}, follow=True)
    assert "Your stance is withdrawn." in response.content.decode()
    assert not SectionStance.objects.exists()
    assert ProposalStance.objects.get().value == "support"
    assert len(withdraw_buttons()) == 1

    response = client.post(url, {"withdraw": "1"})
    assert response.status_code == 302
    assert not ProposalStance.objects.exists()
    assert withdraw_buttons() == []

    client.post(url, {"value": "oppose"})
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    response = client.post(url, {"withdraw": "1"}, follow=True)
    assert "only be taken while the consultation is open; it is closed" in (
        response.content.decode()
    )
    assert ProposalStance.objects.get().value == "oppose"


def test_a_stance_can_be_withdrawn_without_being_a_verified_resident(client, open_proposal, people):
    """Taking back needs no residence: someone whose verification lapsed (or
    who voted before the rule) can still withdraw."""
    stances.stance_cast(actor=people.citizen, proposal=open_proposal, value="support")
    Proposal.objects.filter(pk=open_proposal.pk).update(requires_verification=True)
    client.force_login(people.citizen)
    page = BeautifulSoup(client.get(open_proposal.get_absolute_url()).content, "html.parser")
    assert page.select("div.stance-form button[name=withdraw]")
    response = client.post(f"{open_proposal.get_absolute_url()}stance/", {"withdraw": "1"})
    assert response.status_code == 302
    assert not ProposalStance.objects.exists()
