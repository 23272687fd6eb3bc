"""The reads behind the feeds: the list page's own filters (proposals.selectors
`proposal_list_public`), so that a feed shows what the list shows for the
same topic, department and place, and a fixed number of queries whatever the
number of entries (pinned in tests)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from taggit.models import Tag, TaggedItem

from consult.accounts.models import Department, Jurisdiction
from proposals.models import PUBLIC_STATUSES, Proposal, Status
from proposals.selectors import Browse, proposal_list_public

# Feed readers fetch often and keep what they have seen: the newest fifty are
# plenty, and keep the feed's size bounded whatever the site's age.
FEED_LIMIT = 50
# Everything still open or opening has its date in the calendar, within reason.
CALENDAR_LIMIT = 500
# What slugify(allow_unicode=True) makes, no longer than any slug column.
SLUG = re.compile(r"[-\w]{1,120}")

TOPIC = "topic"
DEPARTMENT = "department"
JURISDICTION = "jurisdiction"
FILTERS = (TOPIC, DEPARTMENT, JURISDICTION)


class UnknownFilter(LookupError):
    """A feed asked for a topic, department or place that is not there."""

    def __init__(self, kind: str, slug: str):
        super().__init__(f"no {kind} {slug!r}")
        self.kind = kind
        self.slug = slug


@dataclass(frozen=True)
class Scope:
    """What a feed is about: the public site, or one topic, department or place
    (each taking in those below it), or several of them at once."""

    topic: Tag | None = None
    department: Department | None = None
    jurisdiction: Jurisdiction | None = None

    def browse(self, status: str = "") -> Browse:
        return Browse(
            status=status,
            topic=self.topic.slug if self.topic else "",
            department=self.department.slug if self.department else "",
            jurisdiction=self.jurisdiction.slug if self.jurisdiction else "",
        )

    def query(self) -> dict[str, str]:
        browse = self.browse()
        return {name: getattr(browse, name) for name in FILTERS if getattr(browse, name)}


def public_topic(slug: str) -> Tag | None:
    """A topic a reader may know of: carried by a public consultation, or
    named in the site's languages. A tag seen only on drafts stays unknown."""
    return (
        Tag.objects.filter(slug=slug)
        .filter(Q(proposal__status__in=PUBLIC_STATUSES) | Q(topic__isnull=False))
        .select_related("topic")
        .distinct()
        .first()
    )


FINDERS = {
    TOPIC: public_topic,
    DEPARTMENT: lambda slug: Department.objects.filter(slug=slug).first(),
    JURISDICTION: lambda slug: Jurisdiction.objects.filter(slug=slug).first(),
}


def feed_scope(**slugs: str) -> Scope:
    """The scope named by these slugs (blank ones ignored): one query each.
    Raises UnknownFilter for a slug that names nothing, or could not be a slug."""
    found = {}
    for kind in FILTERS:
        slug = (slugs.get(kind) or "").strip()
        if not slug:
            continue
        if not SLUG.fullmatch(slug):
            raise UnknownFilter(kind, slug[:120])
        found[kind] = FINDERS[kind](slug)
        if found[kind] is None:
            raise UnknownFilter(kind, slug)
    return Scope(**found)


def with_topics(proposals: list[Proposal]) -> list[Proposal]:
    """Sets `feed_topics` on each: its topics, with their names in every
    language, in one query. (taggit's own prefetch builds a queryset per
    consultation, which cost a third of the feed's time at fifty entries.)"""
    items = (
        TaggedItem.objects.filter(
            content_type__app_label="proposals",
            content_type__model="proposal",
            object_id__in=[proposal.pk for proposal in proposals],
        )
        .select_related("tag__topic")
        .order_by("tag__name", "tag_id")
    )
    topics = defaultdict(list)
    for item in items:
        topics[item.object_id].append(item.tag)
    for proposal in proposals:
        proposal.feed_topics = topics[proposal.pk]
    return proposals


def feed_open_consultations(scope: Scope) -> list[Proposal]:
    """Open now, newest first (a withdrawn or closed one is not open)."""
    qs = proposal_list_public(scope.browse(status="open")).select_related("current_version")
    return with_topics(list(qs.prefetch_related(None)[:FEED_LIMIT]))


def feed_published_reports(scope: Scope) -> list[Proposal]:
    """Consultations whose report is out, most recently published first."""
    qs = (
        proposal_list_public(scope.browse(status="report_published"))
        .filter(report__state="published", report__published_at__isnull=False)
        .select_related("report")
        .order_by("-report__published_at", "-pk")
        .prefetch_related(None)
    )
    return with_topics(list(qs[:FEED_LIMIT]))


def feed_closing_dates(scope: Scope) -> list[Proposal]:
    """Open or opening, with a date to close, soonest first."""
    qs = (
        proposal_list_public(scope.browse())
        .filter(live_status__in=[Status.OPEN, Status.SCHEDULED], closes_at__isnull=False)
        .order_by("closes_at", "pk")
        .prefetch_related(None)
    )
    return list(qs[:CALENDAR_LIMIT])
