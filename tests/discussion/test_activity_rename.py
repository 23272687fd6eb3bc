"""A new display name reaches pages already open: each consultation where the
person has a public comment gets a live event with their author mark and the
new name; a page drawn afterwards shows the new name; the log never replays a
name they left; the old name is kept only in the staff's audit log."""

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup

from consult.accounts import services as accounts
from consult.accounts.models import AuditEntry
from discussion.activity.renames import RENAMED, author_rename_announce
from discussion.comments import services as comments
from discussion.comments.marks import author_mark
from discussion.live import events
from discussion.models import Event
from discussion.submissions.models import FormResponse
from tests.discussion.conftest import section_url, socket_for
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_open_socket_is_told_the_new_name(open_proposal, people, make_user):
    citizen = people.citizen
    await sync_to_async(comments.comment_create)(
        actor=citizen, proposal=open_proposal, body="Slower cars"
    )
    listener = socket_for(open_proposal, await sync_to_async(make_user)(display_name="Reader"))
    assert (await listener.connect())[0]
    assert (await next_message(listener))["type"] == "hello"

    await sync_to_async(accounts.display_name_change)(actor=citizen, name="Ada Lovelace")

    told = await next_message(listener)
    assert told["type"] == RENAMED
    assert told["name"] == "Ada Lovelace"
    assert told["mark"] == author_mark(proposal_id=open_proposal.pk, user=citizen)
    assert "Citizen" not in str(told)
    await listener.disconnect()


def test_a_page_drawn_after_the_rename_shows_the_new_name_and_never_the_old(
    client, open_proposal, people, section
):
    citizen = people.citizen
    comment = comments.comment_create(
        actor=citizen, proposal=open_proposal, section=section, body="Slower cars"
    )
    citizen.refresh_from_db()
    citizen.profile_public = True
    citizen.save(update_fields=["profile_public"])
    accounts.display_name_change(actor=citizen, name="Ada Lovelace")

    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    assert page.select_one(f"#comment-{comment.pk}-by").text == "Ada Lovelace"
    profile = client.get(f"/people/{citizen.pk}/").content.decode()
    assert "Ada Lovelace" in profile and "Citizen" not in profile
    # What a page that missed the events is replayed: the new name only.
    replay = str(events.events_since(proposal_id=open_proposal.pk, seq=0))
    assert "Ada Lovelace" in replay and ">Citizen<" not in replay
    # Staff keep the history of names; nobody else is shown it.
    entry = AuditEntry.objects.get(action="user.display_name")
    assert entry.before == {"display_name": "Citizen"}


def test_only_the_current_name_is_ever_replayed(open_proposal, people):
    citizen = people.citizen
    comments.comment_create(actor=citizen, proposal=open_proposal, body="Slower cars")
    accounts.display_name_change(actor=citizen, name="First New Name")
    accounts.display_name_change(actor=citizen, name="Second New Name")
    told = list(Event.objects.filter(type=RENAMED).values_list("payload__name", flat=True))
    assert told == ["Second New Name", "Second New Name"]


def test_only_consultations_showing_a_public_comment_of_theirs_are_told(
    open_proposal, people, make_proposal
):
    citizen = people.citizen
    held = comments.comment_create(actor=citizen, proposal=open_proposal, body="Awaiting review")
    type(held).objects.filter(pk=held.pk).update(held_at=held.created_at)
    assert author_rename_announce(user_id=citizen.pk) == 0
    comments.comment_create(actor=citizen, proposal=open_proposal, body="Public words")
    assert author_rename_announce(user_id=citizen.pk) == 1
    citizen.deleted_at = held.created_at
    citizen.save(update_fields=["deleted_at"])
    assert author_rename_announce(user_id=citizen.pk) == 0


def test_a_response_made_on_the_website_is_signed_with_the_new_name(open_proposal, people):
    citizen = people.citizen
    mine = FormResponse.objects.create(
        proposal=open_proposal, respondent=citizen, respondent_name="Citizen"
    )
    entered = FormResponse.objects.create(
        proposal=open_proposal, entered_by=people.official, respondent_name="A letter's signature"
    )
    before = mine.updated_at
    accounts.display_name_change(actor=citizen, name="Ada Lovelace")
    mine.refresh_from_db()
    entered.refresh_from_db()
    assert mine.respondent_name == "Ada Lovelace"
    assert mine.updated_at > before, "the open data sees a change to build again"
    assert entered.respondent_name == "A letter's signature"


def test_a_deleted_account_leaves_no_name_in_the_live_event_log(open_proposal, people):
    """The rename events carry the name a replay would show: they go with the
    account, and the other events of the consultation stay."""
    from consult.privacy.services.erasure import account_delete

    citizen = people.citizen
    comments.comment_create(actor=citizen, proposal=open_proposal, body="Slower cars")
    accounts.display_name_change(actor=citizen, name="Ada Lovelace")
    assert Event.objects.filter(type=RENAMED).exists()
    account_delete(actor=None, user=citizen)
    assert not Event.objects.filter(type=RENAMED).exists()
    assert not Event.objects.filter(payload__icontains="Ada Lovelace").exists()
    assert Event.objects.filter(type="comment.created").exists()
