"""How many people take part in a consultation and how many comments it
shows, counted as it happens.

Why maintained counters rather than one grouped query: the cards on the home
page and the list show both figures for every consultation on the page.
"People" are distinct across four kinds of contribution (comments, votes on
comments, stances, submitted responses), so a grouped query would be a
DISTINCT over the union of four tables for every page view, and its cost would
grow with the activity of the consultations shown. Two integer columns on the
consultation's own row cost nothing more to read: a card is its row. The
price is that every write that changes a figure says so here, in its own
transaction, with F() updates so that concurrent writes never lose one; and
that `counters_recount` can rebuild both from the rows at any time (repair,
existing data, bulk imports), which the tests hold equal to the maintained
figures.

What the figures mean:
- `comment_count`: the comments a reader can see, that is the public ones
  (`discussion.models.public_comment`: not deleted by their author, not
  hidden by a moderator or by readers' reports, not awaiting review). It
  goes down when a comment is deleted or hidden and up when one is published,
  approved or restored: the number matches the comments on the page.
- `participant_count`: the people who took part, each once: who had a comment
  published, voted on a comment, took a stance on the consultation or one of
  its sections, or submitted the response form, recorded as one `Participant`
  row per person. Taking part is not undone: the row and the count stay when
  a stance or a vote is withdrawn, a comment deleted or hidden, or the account
  deleted (the account is anonymised, its contributions stay). A comment
  held for review counts its author only once approved: a rejected one was
  never part of the consultation. A response received by post, email, phone
  or at a meeting has no account: each is one more person, without a row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps as installed_apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from proposals.models import Participant, Proposal

BATCH = 5_000
# The same rule as discussion.models.public_comment (this floor cannot import
# it): the comments whose words readers see.
PUBLIC_COMMENT = Q(is_deleted=False, hidden_at__isnull=True, held_at__isnull=True)
SUBMITTED = "submitted"


def _joined(proposal_id: int, user_id: int) -> bool:
    """Record that the person took part; True only the first time. Two
    requests at once meet at the unique constraint: one inserts, the other
    finds the row, so the person is counted once."""
    if Participant.objects.filter(proposal_id=proposal_id, user_id=user_id).exists():
        return False
    try:
        with transaction.atomic():
            Participant.objects.create(proposal_id=proposal_id, user_id=user_id)
    except IntegrityError:
        return False
    return True


def participant_add(*, proposal_id: int, user_id: int) -> bool:
    """A person took part (a vote, a stance, a submitted response); the
    people count goes up the first time. True if they were new."""
    if not _joined(proposal_id, user_id):
        return False
    Proposal.objects.filter(pk=proposal_id).update(participant_count=F("participant_count") + 1)
    return True


def response_received_offline(*, proposal_id: int) -> None:
    """A response entered by staff from a letter, an email, a call or a
    meeting: one more person, who has no account to record."""
    Proposal.objects.filter(pk=proposal_id).update(participant_count=F("participant_count") + 1)


def comment_published(*, proposal_id: int, author_id: int) -> None:
    """A comment became public (posted, or approved after review): one more
    comment, and its author took part. One update for both."""
    changes = {"comment_count": F("comment_count") + 1}
    if _joined(proposal_id, author_id):
        changes["participant_count"] = F("participant_count") + 1
    Proposal.objects.filter(pk=proposal_id).update(**changes)


def comment_visibility_changed(*, proposal_id: int, was_public: bool, is_public: bool) -> None:
    """A comment was deleted, hidden or restored: the count follows what
    readers see. The guard keeps a repaired count from going below zero."""
    if was_public == is_public:
        return
    if is_public:
        Proposal.objects.filter(pk=proposal_id).update(comment_count=F("comment_count") + 1)
    else:
        Proposal.objects.filter(pk=proposal_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )


def _contributions(apps, proposals) -> list:
    """(proposal, person) for every contribution that makes a participant."""
    comment = apps.get_model("discussion", "Comment")
    vote = apps.get_model("discussion", "CommentVote")
    response = apps.get_model("discussion", "FormResponse")
    whole = apps.get_model("proposals", "ProposalStance")
    part = apps.get_model("proposals", "SectionStance")
    return [
        comment.objects.filter(proposal__in=proposals, held_at__isnull=True).values_list(
            "proposal_id", "author_id"
        ),
        vote.objects.filter(comment__proposal__in=proposals).values_list(
            "comment__proposal_id", "user_id"
        ),
        whole.objects.filter(proposal__in=proposals).values_list("proposal_id", "user_id"),
        part.objects.filter(proposal__in=proposals).values_list("proposal_id", "user_id"),
        response.objects.filter(
            proposal__in=proposals, status=SUBMITTED, respondent__isnull=False
        ).values_list("proposal_id", "respondent_id"),
    ]


def _count(model, where: Q) -> Coalesce:
    rows = (
        model.objects.filter(where, proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


@transaction.atomic
def counters_recount(proposal_ids: Iterable[int] | None = None, *, apps=installed_apps) -> int:
    """Both counts rebuilt from the rows, for the given consultations or all.

    Participant rows missing for a contribution are made (after a bulk
    import, or for data older than the counters); existing ones are kept,
    since taking part is not undone. Then each count is one UPDATE over the
    consultations. `apps` is the migration's registry when a migration calls
    it. Returns how many consultations were recounted."""
    proposal = apps.get_model("proposals", "Proposal")
    participant = apps.get_model("proposals", "Participant")
    proposals = proposal.objects.all()
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=list(proposal_ids))
    chosen = proposals.values("pk")
    for pairs in _contributions(apps, chosen):
        rows = pairs.order_by().distinct().iterator(chunk_size=BATCH)
        batch = []
        for proposal_id, user_id in rows:
            batch.append(participant(proposal_id=proposal_id, user_id=user_id))
            if len(batch) == BATCH:
                participant.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        participant.objects.bulk_create(batch, ignore_conflicts=True)
    response = apps.get_model("discussion", "FormResponse")
    comment = apps.get_model("discussion", "Comment")
    offline = Q(status=SUBMITTED, respondent__isnull=True)
    return proposals.update(
        participant_count=_count(participant, Q()) + _count(response, offline),
        comment_count=_count(comment, PUBLIC_COMMENT),
    )
