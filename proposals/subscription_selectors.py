"""What a person follows among topics, departments and places, and what a
page offers them to follow: a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from taggit.models import Tag

from consult.accounts import rules as account_rules
from consult.accounts.models import Department, Jurisdiction, User
from proposals.models import PUBLIC_STATUSES, Proposal, Subscription, Topic
from proposals.services.subscriptions import Target, topic_ids_of


@dataclass(frozen=True)
class Followable:
    """A topic, department or place, and whether the person follows it.
    `named` is what carries its names (a Topic, or the tag when none)."""

    kind: str
    slug: str
    named: Topic | Tag | Department | Jurisdiction
    following: bool = False

    @property
    def list_query(self) -> str:
        """Its filter on the list of consultations."""
        return f"{'jurisdiction' if self.kind == Target.PLACE else self.kind}={self.slug}"


def named_topic(tag: Tag) -> Topic | Tag:
    """The tag's Topic (its names in other languages) when it has one."""
    return getattr(tag, "topic", None) or tag


def _followed(user: User) -> set[tuple[str, int]]:
    """(kind, id) of everything the person follows: one query."""
    rows = Subscription.objects.filter(user=user).values_list(
        "topic_id", "department_id", "jurisdiction_id"
    )
    found = set()
    for topic_id, department_id, jurisdiction_id in rows:
        if topic_id:
            found.add((Target.TOPIC, topic_id))
        elif department_id:
            found.add((Target.DEPARTMENT, department_id))
        else:
            found.add((Target.PLACE, jurisdiction_id))
    return found


def _marked(user: User, targets: list[tuple[str, object]]) -> list[Followable]:
    followed = _followed(user) if targets else set()
    return [
        Followable(
            kind=kind,
            slug=target.slug,
            named=named_topic(target) if kind == Target.TOPIC else target,
            following=(kind, target.pk) in followed,
        )
        for kind, target in targets
    ]


def followables_for_browse(
    *, user: User | AnonymousUser, topic: str, department: str, jurisdiction: str
) -> list[Followable]:
    """The topic (if a public consultation carries it), department and place
    the list is filtered by, for a signed-in person."""
    if not account_rules.is_citizen(user):
        return []
    targets: list[tuple[str, object]] = []
    if topic:
        tag = (
            Tag.objects.filter(slug=topic, proposal__status__in=PUBLIC_STATUSES)
            .select_related("topic")
            .first()
        )
        if tag is not None:
            targets.append((Target.TOPIC, tag))
    for kind, model, slug in (
        (Target.DEPARTMENT, Department, department),
        (Target.PLACE, Jurisdiction, jurisdiction),
    ):
        found = model.objects.filter(slug=slug).first() if slug else None
        if found is not None:
            targets.append((kind, found))
    return _marked(user, targets)


def followables_for_proposal(*, user: User | AnonymousUser, proposal: Proposal) -> list[Followable]:
    """A public consultation's topics, department and place, for a signed-in person."""
    if not account_rules.is_citizen(user) or not proposal.is_public:
        return []
    tags = (
        Tag.objects.filter(pk__in=topic_ids_of(proposal)).select_related("topic").order_by("name")
    )
    targets: list[tuple[str, object]] = [(Target.TOPIC, tag) for tag in tags]
    targets += [(Target.DEPARTMENT, proposal.department), (Target.PLACE, proposal.jurisdiction)]
    return _marked(user, targets)


def subscription_list(*, user: User) -> list[Followable]:
    """Everything the person follows, oldest first: one query."""
    rows = Subscription.objects.filter(user=user).select_related(
        "topic__topic", "department", "jurisdiction"
    )
    found = []
    for row in rows:
        if row.topic_id:
            found.append(Followable(Target.TOPIC, row.topic.slug, named_topic(row.topic), True))
        elif row.department_id:
            found.append(Followable(Target.DEPARTMENT, row.department.slug, row.department, True))
        else:
            found.append(Followable(Target.PLACE, row.jurisdiction.slug, row.jurisdiction, True))
    return found


@dataclass(frozen=True)
class Choice:
    slug: str
    named: Topic | Tag | Department | Jurisdiction
    depth: int = 0


def subscription_choices() -> dict[str, list[Choice]]:
    """What can be followed, for the form: topics of public consultations,
    every department and place in tree order (three queries)."""
    tags = (
        Tag.objects.filter(proposal__status__in=PUBLIC_STATUSES)
        .distinct()
        .select_related("topic")
        .order_by("name")
    )
    return {
        Target.TOPIC: [Choice(tag.slug, named_topic(tag)) for tag in tags],
        Target.DEPARTMENT: [
            Choice(d.slug, d, d.depth) for d in Department.objects.order_by("path")
        ],
        Target.PLACE: [Choice(j.slug, j, j.depth) for j in Jurisdiction.objects.order_by("path")],
    }
