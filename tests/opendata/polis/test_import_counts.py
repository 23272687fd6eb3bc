"""An imported Polis conversation's card shows its people and comments:
written in bulk, counted from the rows at the end of the import."""

from __future__ import annotations

import pytest

from consult.opendata import public
from consult.opendata.polis.imports import import_dir
from proposals.models import Participant
from proposals.services.participation import counters_recount

pytestmark = pytest.mark.django_db


def test_an_imported_conversation_counts_its_people_and_visible_comments(hand_export, tree):
    result = import_dir(hand_export, department=tree.city_office)
    proposal = result.proposal
    kept = (proposal.participant_count, proposal.comment_count)
    # Every author and voter took part, the author of a removed comment too;
    # the comment removed in Polis is not among those readers see.
    assert kept == (result.participants, public.comments(proposal).count())
    assert kept[0] == Participant.objects.filter(proposal=proposal).count() > 0
    assert kept[1] == 4
    counters_recount([proposal.pk])
    proposal.refresh_from_db()
    assert (proposal.participant_count, proposal.comment_count) == kept
