"""Drafts stay with their officials: the moderators of the department, and
staff admins who are not its officials, find nothing of a draft (its title,
a version's note, a document's title) on the moderation log, the audit log,
the moderation rules page, the summary and its evidence; its officials
still see them. A draft's slug says nothing of other drafts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.accounts.models import Role
from discussion import rules as discussion_rules
from proposals import rules
from proposals.models import Proposal
from proposals.services import attachments, common, drafts, lifecycle, versions
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

TITLE = "Quietly planned congestion charge"
NOTE = "Raised the charge after the treasury memo"
DOCUMENT = "Treasury memo on the charge"
SECRETS = (TITLE, NOTE, DOCUMENT)


@pytest.fixture
def secret_draft(tree, people) -> Proposal:
    """A draft of the city office with a published version and a document."""
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title=TITLE,
        summary="A charge to enter the centre.",
    )
    drafts.section_add(actor=people.official, proposal=proposal, heading="Charge", body="5 a day")
    versions.version_publish(actor=people.official, proposal=proposal, change_note=NOTE)
    attachments.attachment_add(
        actor=people.official,
        proposal=proposal,
        upload=SimpleUploadedFile("memo.pdf", PDF),
        title=DOCUMENT,
    )
    proposal.refresh_from_db()
    return proposal


def pages(proposal: Proposal) -> list[str]:
    base = proposal.get_absolute_url()
    return [
        f"{base}moderation-log/",
        f"{base}moderation-audit/",
        f"{base}moderation-policy/",
        f"{base}summary/",
        f"{base}summary/evidence/?key=consensus",
        f"{base}report/",
    ]


def assert_nothing_shown(response) -> None:
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


@pytest.fixture
def staff_admin(make_user, settings):
    # Past the second factor: what is refused here is the draft, not the sign-in.
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    return make_user(display_name="Admin", is_staff=True)


@pytest.mark.parametrize("who", ["moderator", "ministry_moderator", "staff_admin"])
def test_moderators_and_staff_admins_find_nothing_of_a_draft(
    who, client, secret_draft, people, make_user, grant, tree, staff_admin
):
    user = {
        "moderator": people.moderator,
        "ministry_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "staff_admin": staff_admin,
    }[who]
    client.force_login(user)
    for url in pages(secret_draft):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_nothing_shown(response)
    for url in (f"{pages(secret_draft)[2]}", f"{secret_draft.get_absolute_url()}summary/run/"):
        response = client.post(url, {"hold_all": "on", "version": "new"})
        assert response.status_code == 404, url
        assert_nothing_shown(response)
    adopt = client.post(
        f"{secret_draft.get_absolute_url()}summary/themes/adopt/", {"run": "1", "suggestion": "0"}
    )
    assert adopt.status_code == 404
    assert_nothing_shown(adopt)


def test_the_one_rule_says_who_sees_a_draft(secret_draft, people, staff_admin):
    allowed = {"official", "parent_official"}
    for name in ("anonymous", "citizen", "moderator", "official", "parent_official"):
        user = people.by_name(name)
        assert rules.can_see_draft(user, secret_draft) is (name in allowed)
        assert rules.can_view(user, secret_draft) is (name in allowed)
    assert not rules.can_see_draft(staff_admin, secret_draft)
    # A moderator moderates it from the moment it is public, not before.
    assert not discussion_rules.can_moderate(people.moderator, secret_draft)
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=secret_draft,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    secret_draft.refresh_from_db()
    assert discussion_rules.can_moderate(people.moderator, secret_draft)


def test_officials_still_see_the_draft_on_these_pages(
    client, secret_draft, people, make_user, grant, tree
):
    client.force_login(people.official)
    base = secret_draft.get_absolute_url()
    for url in (f"{base}moderation-policy/", f"{base}summary/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert TITLE in response.content.decode()
    # An official who also moderates sees the audit log with the version's
    # note and the document's title.
    both = grant(grant(make_user(), tree.city_office, Role.OFFICIAL), tree.ministry, Role.MODERATOR)
    client.force_login(both)
    body = client.get(f"{base}moderation-audit/").content.decode()
    assert TITLE in body and NOTE in body and DOCUMENT in body


def test_a_new_consultation_named_like_a_hidden_draft_does_not_reveal_it(tree, people):
    def create(actor, department, jurisdiction, title=TITLE):
        return drafts.proposal_create(
            actor=actor,
            department=department,
            jurisdiction=jurisdiction,
            title=title,
            summary="S",
        )

    lone = create(people.official, tree.city_office, tree.city, title="Another title")
    hidden = create(people.official, tree.city_office, tree.city)
    mine = create(people.other_official, tree.other_ministry, tree.nation)
    # A draft's slug is its title and a random part: the same shape whether
    # or not another draft has the title, so it tells nothing of the other.
    for draft, base in ((lone, "another-title"), (hidden, "quietly-planned"), (mine, "quietly")):
        head, _dash, tail = draft.slug.rpartition("-")
        assert head.startswith(base) and len(tail) == 8
        assert not head.endswith("-2")
    assert mine.slug != hidden.slug
    # Going public, it takes its plain slug although the hidden draft has the title.
    drafts.section_add(actor=people.other_official, proposal=mine, heading="H", body="B")
    versions.version_publish(actor=people.other_official, proposal=mine, change_note="First.")
    lifecycle.proposal_schedule(
        actor=people.other_official,
        proposal=mine,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    mine.refresh_from_db()
    assert mine.slug == "quietly-planned-congestion-charge"
    # A second public one with that title is numbered among public ones only.
    drafts.section_add(actor=people.official, proposal=hidden, heading="H", body="B")
    versions.version_publish(actor=people.official, proposal=hidden, change_note="First.")
    lifecycle.proposal_schedule(
        actor=people.official,
        proposal=hidden,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    hidden.refresh_from_db()
    assert hidden.slug == "quietly-planned-congestion-charge-2"


def test_drafts_made_before_random_slugs_get_one(secret_draft, tree, people):
    """A draft saved with a plain title slug is given the random suffix, so a
    public consultation of the same title later takes the plain slug."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("proposals.migrations.0006_draft_slugs_reveal_nothing")
    Proposal.objects.filter(pk=secret_draft.pk).update(slug="quietly-planned-congestion-charge")
    public = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Open consultation",
        summary="Already public.",
    )
    Proposal.objects.filter(pk=public.pk).update(status="open", slug="open-consultation")

    migration.randomise_draft_slugs(apps, None)

    secret_draft.refresh_from_db()
    public.refresh_from_db()
    assert secret_draft.slug.startswith("quietly-planned-congestion-charge-")
    assert len(secret_draft.slug) == len("quietly-planned-congestion-charge-") + 8
    assert public.slug == "open-consultation"
    assert common.unique_slug(TITLE) == "quietly-planned-congestion-charge"
