"""One fetch-and-authorise for every page about a consultation."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from proposals import rules
from proposals.access import access_proposal
from tests.proposals.conftest import ACTORS, MANAGERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", ACTORS)
def test_a_draft_exists_only_for_its_officials(draft, people, actor):
    user = people.by_name(actor)
    if actor in MANAGERS:
        assert access_proposal(user, slug=draft.slug) == draft
        assert access_proposal(user, pk=draft.pk) == draft
    else:
        with pytest.raises(Http404):
            access_proposal(user, slug=draft.slug)


@pytest.mark.parametrize("actor", ACTORS)
def test_an_officials_page_does_not_exist_for_anyone_else(open_proposal, people, actor):
    user = people.by_name(actor)
    assert access_proposal(user, pk=open_proposal.pk) == open_proposal
    if actor in MANAGERS:
        assert access_proposal(user, pk=open_proposal.pk, see=rules.can_manage) == open_proposal
    else:
        with pytest.raises(Http404):
            access_proposal(user, pk=open_proposal.pk, see=rules.can_manage)


def test_a_refusal_is_said_or_hidden_as_asked(open_proposal, people):
    never = lambda user, proposal: False  # noqa: E731
    with pytest.raises(PermissionDenied, match="Not for you"):
        access_proposal(people.citizen, slug=open_proposal.slug, may=never, refusal="Not for you")
    with pytest.raises(Http404):
        access_proposal(
            people.citizen, slug=open_proposal.slug, may=never, hidden_when_refused=True
        )


def test_a_name_that_names_nothing_is_not_found(people):
    with pytest.raises(Http404):
        access_proposal(people.official, slug="nothing-here")
    with pytest.raises(TypeError):
        access_proposal(people.official)


def test_an_officials_page_asks_about_the_role_once(draft, people):
    with CaptureQueriesContext(connection) as captured:
        access_proposal(people.official, pk=draft.pk, see=rules.can_manage)
    assert len(captured.captured_queries) == 2  # the consultation, the role
