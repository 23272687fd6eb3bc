"""Following a consultation, and telling its followers what happened to it.

The services that change a consultation schedule the telling on commit
(`followers_notify_on_commit`); the task worker runs it (`followers_notify`),
however many the followers are. The hourly "closes soon" telling is run by
`proposals.tasks.closing_soon_notify`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from consult.notifications.models import Notification
from proposals import rules
from proposals.models import Follow, Proposal, Status
from proposals.services import common

# "Closes in three days": told once, as soon as the deadline is this close.
CLOSING_SOON = timedelta(days=3)


@transaction.atomic
def follow_set(*, actor: User, proposal: Proposal, following: bool) -> bool:
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(common.SIGN_IN_REQUIRED)
    if not rules.can_view(actor, proposal):
        raise PermissionDenied(common.NOT_OFFICIAL)
    if following:
        Follow.objects.get_or_create(proposal=proposal, user=actor)
    else:
        Follow.objects.filter(proposal=proposal, user=actor).delete()
    return following


def followers_tell(
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
        return followers_tell(proposal, kind=kind, key=key, actor=actor, excerpt=excerpt)


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


def closing_soon_tell() -> int:
    """Tell the followers of each open consultation that closes within three
    days, once per deadline: an extension to another day tells them again."""
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
            told += followers_tell(
                proposal,
                kind=NotificationKind.CLOSING,
                key=f"closing:{proposal.pk}:{proposal.closes_at.date().isoformat()}",
            )
    return told
