"""Following a topic, a department or a place: told when a consultation there
opens, when its report is published, and three days before it closes (the
telling is `proposals.services.followers.followers_tell`).

A topic can be followed only once a public consultation carries it: were any
tag accepted, "no such topic" and "followed" would tell apart the topics that
only drafts carry. A department or a place takes in those below it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag, TaggedItem

from consult.accounts import rules as account_rules
from consult.accounts.models import Department, Jurisdiction, User
from consult.infra import ratelimit
from proposals.models import PUBLIC_STATUSES, Proposal, Subscription
from proposals.services import common


class Target(models.TextChoices):
    """What can be followed, as the forms and addresses name it."""

    TOPIC = "topic", _("Topic")
    DEPARTMENT = "department", _("Department")
    PLACE = "place", _("Place")


# The Subscription column of each kind of target.
COLUMNS = {Target.TOPIC: "topic", Target.DEPARTMENT: "department", Target.PLACE: "jurisdiction"}

TARGET_UNKNOWN = _("Choose a topic, a department or a place to follow.")
TOPIC_UNKNOWN = _("No public consultation has the topic “%(slug)s”, so it cannot be followed.")
DEPARTMENT_UNKNOWN = _("There is no department “%(slug)s”.")
PLACE_UNKNOWN = _("There is no place “%(slug)s”.")
# Every refusal above that names something missing carries this code: the
# pages answer it with "not found".
NOT_FOUND = "not_found"

SLUG_SHOWN = 60


def topic_ids_of(proposal: Proposal) -> QuerySet:
    """The ids of its topics, as a subquery (the content type joined, not
    looked up: no query of its own, even the first time)."""
    return TaggedItem.objects.filter(
        object_id=proposal.pk,
        content_type__app_label=Proposal._meta.app_label,
        content_type__model=Proposal._meta.model_name,
    ).values("tag_id")


def rate() -> list[tuple[str, ratelimit.Rate]]:
    return [ratelimit.Rate.parse(text) for text in ratelimit.rates("subscription")["user"]]


def _missing(message, slug: str) -> ValidationError:
    return ValidationError(message, code=NOT_FOUND, params={"slug": slug[:SLUG_SHOWN]})


def subscription_target(
    *, kind: str, slug: str, followed_by: User | None = None
) -> Tag | Department | Jurisdiction:
    """The topic (a tag carried by a public consultation), department or
    place named by its slug, or a ValidationError that says what is missing.
    With `followed_by`, also a topic that person follows though no public
    consultation carries it any more (to stop following it); any other tag
    is as missing as one that does not exist, so that a draft's topics stay
    unknown."""
    slug = (slug or "").strip()
    if kind not in Target.values:
        raise ValidationError(TARGET_UNKNOWN, code="invalid")
    if kind == Target.TOPIC:
        shown = Q(proposal__status__in=PUBLIC_STATUSES)
        if followed_by is not None:
            shown |= Q(pk__in=Subscription.objects.filter(user=followed_by).values("topic_id"))
        tags = Tag.objects.filter(shown, slug=slug).distinct()
        found = tags.select_related("topic").first() if slug else None
        if found is None:
            raise _missing(TOPIC_UNKNOWN, slug)
        return found
    model, message = (
        (Department, DEPARTMENT_UNKNOWN)
        if kind == Target.DEPARTMENT
        else (Jurisdiction, PLACE_UNKNOWN)
    )
    found = model.objects.filter(slug=slug).first() if slug else None
    if found is None:
        raise _missing(message, slug)
    return found


def _actor(actor: User) -> None:
    # Following is reading, not taking part: as for following a consultation
    # (followers.follow_set), a suspended or banned person may still do it.
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(common.SIGN_IN_REQUIRED)


@transaction.atomic
def subscription_follow(*, actor: User, kind: str, slug: str) -> Tag | Department | Jurisdiction:
    """Follow it; following it again changes nothing. Returns what is followed."""
    _actor(actor)
    target = subscription_target(kind=kind, slug=slug)
    column = COLUMNS[Target(kind)]
    if Subscription.objects.filter(user=actor, **{column: target}).exists():
        return target
    ratelimit.hit("subscription", [(f"user:{actor.pk}", each) for each in rate()])
    # Two clicks at once: the constraint keeps one row, get_or_create finds it.
    Subscription.objects.get_or_create(user=actor, **{column: target})
    return target


@transaction.atomic
def subscription_unfollow(*, actor: User, kind: str, slug: str) -> Tag | Department | Jurisdiction:
    """Stop following it; stopping again changes nothing. Returns what it was."""
    _actor(actor)
    target = subscription_target(kind=kind, slug=slug, followed_by=actor)
    Subscription.objects.filter(user=actor, **{COLUMNS[Target(kind)]: target}).delete()
    return target
