"""Background work for proposals, run by the task worker."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from consult.accounts.models import User
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from consult.notifications.models import Notification
from proposals import services
from proposals.models import Follow, Proposal, Status

# "Closes in three days": told once, as soon as the deadline is this close.
CLOSING_SOON = timedelta(days=3)


@task
def lifecycle_advance() -> dict[str, int]:
    """Store the statuses that the clock has already changed (see Proposal.effective_status)."""
    return services.lifecycle_advance()


def _followers_tell(
    proposal: Proposal, *, kind: str, key: str, actor: User | None = None, excerpt: str = ""
) -> int:
    """Each follower once per key: those already told are left out, so a
    task run again (hourly, or retried) inserts nothing."""
    told = Notification.objects.filter(key=key).values("recipient_id")
    followers = (
        Follow.objects.filter(proposal=proposal)
        .exclude(user_id__in=told)
        .values_list("user_id", flat=True)
    )
    return notifications.notify_many(
        recipients=dict.fromkeys(followers, proposal.get_absolute_url()),
        kind=NotificationKind(kind),
        key=key,
        subject=proposal.title,
        actor=actor,
        excerpt=excerpt,
    )


@task
def followers_notify(
    proposal_id: int, kind: str, key: str, actor_id: int | None = None, excerpt: str = ""
) -> int:
    """Tell the followers of a consultation that something happened to it."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    with transaction.atomic():
        return _followers_tell(proposal, kind=kind, key=key, actor=actor, excerpt=excerpt)


def followers_notify_on_commit(
    *, proposal: Proposal, kind: str, key: str, actor: User | None = None, excerpt: str = ""
) -> None:
    """From a service: the followers are told by the worker once the change is
    committed, however many they are. Robust: the change stands if the queue fails."""
    kwargs = {
        "proposal_id": proposal.pk,
        "kind": str(kind),
        "key": key,
        "actor_id": actor.pk if actor is not None else None,
        "excerpt": excerpt,
    }
    transaction.on_commit(lambda: followers_notify.enqueue(**kwargs), robust=True)


@task
def closing_soon_notify() -> int:
    """Tell the followers of each open consultation that closes within three
    days, once per deadline: an extension to another day tells them again.
    Run hourly."""
    now = timezone.now()
    closing = (
        Proposal.objects.filter(
            archived=False, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON
        )
        .filter(Q(status=Status.OPEN) | Q(status=Status.SCHEDULED, opens_at__lte=now))
        .only("pk", "slug", "title", "closes_at")
    )
    told = 0
    for proposal in closing:
        with transaction.atomic():
            told += _followers_tell(
                proposal,
                kind=NotificationKind.CLOSING,
                key=f"closing:{proposal.pk}:{proposal.closes_at.date().isoformat()}",
            )
    return told
