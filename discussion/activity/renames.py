"""A new display name reaching pages already open.

A page draws each name once; the rename is told to the consultations where
the person has a public comment, as a live event carrying their author mark
(discussion.comments.marks) and the new name, so that an open page puts the
name in place (static/js/site.js, "author.renamed"). Pages drawn later read
the name afresh, and the comments' own events in the log are redrawn in the
background (consult.privacy.services.history).

Only the current name is ever in the log: the person's earlier renaming
events are rewritten to it, so a replay never shows a name they left.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Now

from consult.accounts.models import User
from discussion.comments.marks import author_mark
from discussion.live.events import event_append
from discussion.models import Comment, Event, public_comment
from discussion.submissions.models import RESPONDENT_NAME_MAX_LENGTH, FormResponse
from proposals.models import Proposal

RENAMED = "author.renamed"


def author_rename_announce(*, user_id: int) -> int:
    """Tell each consultation with a public comment of the person their new
    name; returns how many were told. A deleted account is told nowhere (its
    comments show no name)."""
    user = User.objects.filter(pk=user_id, deleted_at__isnull=True).first()
    if user is None:
        return 0
    name = user.display_name
    # Made on the website, a response is signed with its author's display name;
    # the change of time tells the open data its files need building again.
    signed = name[:RESPONDENT_NAME_MAX_LENGTH]
    FormResponse.objects.filter(respondent=user, entered_by__isnull=True).exclude(
        respondent_name=signed
    ).update(respondent_name=signed, updated_at=Now())
    shown_in = (
        Comment.objects.filter(public_comment(), author=user)
        .values_list("proposal_id", flat=True)
        .distinct()
    )
    told = 0
    for proposal in Proposal.objects.filter(pk__in=list(shown_in)).order_by("pk"):
        payload = {"mark": author_mark(proposal_id=proposal.pk, user=user), "name": name}
        with transaction.atomic():
            Event.objects.filter(
                proposal=proposal, type=RENAMED, payload__mark=payload["mark"]
            ).update(payload=payload)
            event_append(proposal=proposal, type=RENAMED, payload=payload)
        told += 1
    return told


def renames_erase(user: User) -> int:
    """The person's name as the live event log replays it: gone with their
    account (called while it still has its marks)."""
    marks = [
        author_mark(proposal_id=proposal_id, user=user)
        for proposal_id in Comment.objects.filter(author=user)
        .values_list("proposal_id", flat=True)
        .distinct()
    ]
    deleted, _kinds = Event.objects.filter(type=RENAMED, payload__mark__in=marks).delete()
    return deleted
