"""Following a consultation, and telling its followers (and the subscribers
to its topics, department and place) what happened to it.

The services that change a consultation schedule the telling on commit
(`followers_notify_on_commit`); the task worker runs it (`followers_notify`),
however many the followers are. The hourly "closes soon" telling is run by
`proposals.tasks.closing_soon_notify`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone, translation

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.infra.translations import text_in
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from consult.notifications.models import Notification, Preference
from proposals import rules
from proposals.models import Follow, Proposal, Status, Subscription
from proposals.services import common, subscriptions

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


# What a subscriber to a topic, a department or a place hears of; a new
# version is for the consultation's own followers.
SUBSCRIBER_KINDS = frozenset(
    {NotificationKind.OPENED, NotificationKind.REPORT, NotificationKind.CLOSING}
)


def subscribers_of(proposal: Proposal) -> QuerySet:
    """The people following one of its topics, its department or one above
    it, or its place or one above it (a subquery; the paths need the
    department and place loaded with the proposal)."""
    return Subscription.objects.filter(
        Q(topic__in=subscriptions.topic_ids_of(proposal))
        | Q(department_id__in=proposal.department.ancestor_ids())
        | Q(jurisdiction_id__in=proposal.jurisdiction.ancestor_ids())
    ).values("user_id")


def audience_by_language(
    proposal: Proposal, *, kind: str, key: str, also: Iterable[QuerySet] = ()
) -> dict[str, list[int]]:
    """Who is to be told, not yet told under this key, by the language of
    their emails (the site's default without a choice): one query."""
    audience = Q(pk__in=Follow.objects.filter(proposal=proposal).values("user_id"))
    # These events only happen to public consultations; checked all the same,
    # for a draft's topics and place are nobody's business.
    if kind in SUBSCRIBER_KINDS and proposal.is_public:
        audience |= Q(pk__in=subscribers_of(proposal))
    for people in also:
        audience |= Q(pk__in=people)
    told = Notification.objects.filter(key=key).values("recipient_id")
    rows = (
        User.objects.filter(audience, is_active=True)
        .exclude(pk__in=told)
        .values_list(
            "pk", "notification_preference__language", "notification_preference__last_language"
        )
    )
    by_language: dict[str, list[int]] = defaultdict(list)
    for pk, language, last_language in rows:
        chosen = Preference(language=language or "", last_language=last_language or "")
        by_language[chosen.email_language()].append(pk)
    return by_language


def followers_tell(
    proposal: Proposal,
    *,
    kind: str,
    key: str,
    actor: User | None = None,
    excerpt: str = "",
    url: str = "",
    also: Iterable[QuerySet] = (),
) -> int:
    """Each follower once per key, and for an opening, a report or a closing
    deadline each subscriber whose topic, department or place it is: those
    already told are left out, so a task run again (hourly, or retried)
    inserts nothing. `also` adds people (querysets of user ids).

    Each is told in the language of their emails: the title (and an
    opening's summary) where written in it, the excerpt translated when it
    is a translatable text. One bulk write per language, whatever the number
    of people."""
    told = 0
    for language, people in sorted(
        audience_by_language(proposal, kind=kind, key=key, also=also).items()
    ):
        with translation.override(language):
            text = (
                text_in(proposal, "summary", language)
                if kind == NotificationKind.OPENED
                else str(excerpt)
            )
        told += notifications.notify_many(
            recipients=dict.fromkeys(people, url or proposal.get_absolute_url()),
            kind=NotificationKind(kind),
            key=key,
            subject=text_in(proposal, "title", language),
            actor=actor,
            excerpt=text,
        )
    return told


@task
def followers_notify(
    proposal_id: int, kind: str, key: str, actor_id: int | None = None, excerpt: str = ""
) -> int:
    """Tell the followers of a consultation that something happened to it."""
    proposal = (
        Proposal.objects.filter(pk=proposal_id).select_related("department", "jurisdiction").first()
    )
    if proposal is None:
        return 0
    # Withdrawn (or closed) between the opening and this run: it is not open now.
    if kind == NotificationKind.OPENED and proposal.effective_status() != Status.OPEN:
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
        .select_related("department", "jurisdiction")
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
