"""Every read of proposals that a page, the API or a consumer needs.

Each page's reads are a fixed number of queries whatever the number of
proposals, sections, votes and attachments (pinned in tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from consult.accounts.models import Department, Jurisdiction, User
from consult.infra.text import render_markdown
from consult.infra.translations import languages, text_in
from proposals import rules, search
from proposals.models import (
    PUBLIC_STATUSES,
    Attachment,
    Follow,
    Proposal,
    ProposalStance,
    ProposalVersion,
    Section,
    SectionStance,
    SectionVersion,
    StanceValue,
    Status,
    Topic,
)

CLOSING_SOON = timedelta(days=7)
HOME_LIMIT = 6


def proposal_public_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.public().select_related("department", "jurisdiction")


# What a visitor can still act on comes first: open, then opening soon.
HOME_ORDER = Case(
    When(live_status=Status.OPEN, then=Value(0)),
    When(live_status=Status.SCHEDULED, then=Value(1)),
    When(live_status=Status.REPORT_PUBLISHED, then=Value(2)),
    When(live_status=Status.CLOSED, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def proposal_list_for_home() -> list[Proposal]:
    return list(
        proposal_public_queryset()
        .with_effective_status()
        .order_by(HOME_ORDER, "closes_at", "pk")
        .prefetch_related("tags")[:HOME_LIMIT]
    )


HOME_SECTION_LIMIT = 3


def _open_for_home() -> QuerySet[Proposal]:
    # One query each: the card reads its row, its department and its counters.
    return proposal_public_queryset().with_effective_status().filter(live_status=Status.OPEN)


def proposal_list_closing_soon() -> list[Proposal]:
    """Open consultations closing within CLOSING_SOON, the soonest first
    (the list's "closing soon" filter shows them all)."""
    return list(
        _open_for_home()
        .filter(closes_at__lte=timezone.now() + CLOSING_SOON)
        .order_by("closes_at", "pk")[:HOME_SECTION_LIMIT]
    )


def proposal_list_most_discussed() -> list[Proposal]:
    """Open consultations with the most comments readers can see (the
    maintained `comment_count`); one without any is not "discussed"."""
    return list(
        _open_for_home()
        .filter(comment_count__gt=0)
        .order_by("-comment_count", F("closes_at").asc(nulls_last=True), "pk")[:HOME_SECTION_LIMIT]
    )


STATUS_FILTERS = {
    "open": Q(live_status=Status.OPEN),
    "closing_soon": Q(live_status=Status.OPEN),
    "upcoming": Q(live_status=Status.SCHEDULED),
    "closed": Q(live_status=Status.CLOSED),
    "report_published": Q(live_status=Status.REPORT_PUBLISHED),
    "withdrawn": Q(live_status=Status.WITHDRAWN),
}
# What can still be answered comes first in a deadline sort; undated rows go
# last on every database (SQLite and PostgreSQL differ on NULL by default).
STILL_OPEN_FIRST = Case(
    When(live_status__in=[Status.OPEN, Status.SCHEDULED], then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)
SORTS = {
    "deadline": (STILL_OPEN_FIRST, F("closes_at").asc(nulls_last=True), "pk"),
    "activity": ("-activity_count", F("closes_at").asc(nulls_last=True), "pk"),
    "newest": (F("opens_at").desc(nulls_last=True), "-pk"),
}


@dataclass
class Browse:
    q: str = ""
    status: str = ""
    topic: str = ""
    department: str = ""
    jurisdiction: str = ""
    sort: str = ""


def proposal_list_public(browse: Browse | None = None) -> QuerySet[Proposal]:
    """The filtered, sorted public list. Department and jurisdiction filters take
    in everything below the chosen one, as a citizen of a city expects to see
    the city's district consultations too."""
    browse = browse or Browse()
    qs = proposal_public_queryset().with_effective_status().prefetch_related("tags")
    if browse.status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[browse.status])
        if browse.status == "closing_soon":
            qs = qs.filter(closes_at__lte=timezone.now() + CLOSING_SOON)
    if browse.topic:
        qs = qs.filter(tags__slug=browse.topic)
    if browse.department:
        path = (
            Department.objects.filter(slug=browse.department).values_list("path", flat=True).first()
        )
        qs = qs.filter(department__path__startswith=path) if path else qs.none()
    if browse.jurisdiction:
        path = (
            Jurisdiction.objects.filter(slug=browse.jurisdiction)
            .values_list("path", flat=True)
            .first()
        )
        qs = qs.filter(jurisdiction__path__startswith=path) if path else qs.none()
    if browse.q.strip():
        qs = search.search(qs, browse.q)
        if browse.sort not in SORTS:
            return qs
    return qs.order_by(*SORTS.get(browse.sort, SORTS["newest"]))


def _names_in_language(rows: list[dict]) -> list[dict]:
    """Each row's `name` in the reader's language (a `Localized`: marked when
    it stands in for it), from the row's `translations`."""
    for row in rows:
        row["name"] = text_in(
            SimpleNamespace(name=row["name"], translations=row.pop("names")), "name"
        )
    return rows


def browse_choices() -> dict:
    """The options of the filter form (three small queries), named in the
    reader's language; topics in the order of those names."""
    from taggit.models import Tag

    topics = _names_in_language(
        list(
            Tag.objects.filter(proposal__status__in=PUBLIC_STATUSES)
            .distinct()
            .values("slug", "name", names=F("topic__translations"))
        )
    )
    places = Jurisdiction.objects.order_by("path").values(
        "slug", "name", "depth", names=F("translations")
    )
    return {
        "topics": sorted(topics, key=lambda row: (row["name"].casefold(), row["slug"])),
        "departments": _names_in_language(
            list(
                Department.objects.order_by("path").values(
                    "slug", "name", "depth", names=F("translations")
                )
            )
        ),
        "jurisdictions": _names_in_language(list(places)),
    }


def topics_of(tags) -> list[Topic]:
    """Each tag as a topic, for its name in the reader's language: a tag with
    no names of its own yet stands as an unsaved one (load them with
    `select_related("topic")` or `prefetch_related("tags__topic")`)."""
    return [getattr(tag, "topic", None) or Topic(tag=tag) for tag in tags]


@dataclass
class SectionTally:
    support: int = 0
    oppose: int = 0
    neutral: int = 0

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.neutral

    def share(self, value: str) -> int:
        return round(100 * getattr(self, value) / self.total) if self.total else 0

    def cells(self) -> list[dict]:
        """For the heatmap: count, share and a 0-10 shade per stance."""
        return [
            {
                "value": v,
                "label": StanceValue(v).label,
                "count": getattr(self, v),
                "share": self.share(v),
                "shade": round(self.share(v) / 10),
            }
            for v in StanceValue.values
        ]


@dataclass
class ProposalPage:
    proposal: Proposal
    sections: list[SectionVersion]
    tallies: dict[int | None, SectionTally]
    attachments: list[Attachment]
    versions: list[ProposalVersion]
    questions: list
    tags: list
    my_stances: dict[int | None, str] = field(default_factory=dict)
    following: bool = False
    can_manage: bool = False


def stance_tallies(proposal: Proposal) -> dict[int | None, SectionTally]:
    """Counts per section (key None: the whole proposal), in two grouped queries."""
    tallies: dict[int | None, SectionTally] = {}
    rows = (
        SectionStance.objects.filter(proposal=proposal)
        .values_list("section_id", "value")
        .annotate(n=Count("pk"))
    )
    for section_id, value, n in rows:
        setattr(tallies.setdefault(section_id, SectionTally()), value, n)
    for value, n in (
        ProposalStance.objects.filter(proposal=proposal)
        .values_list("value")
        .annotate(n=Count("pk"))
    ):
        setattr(tallies.setdefault(None, SectionTally()), value, n)
    return tallies


def proposal_page(*, proposal: Proposal, user: User | AnonymousUser) -> ProposalPage:
    sections = (
        list(proposal.current_version.section_versions.order_by("order"))
        if proposal.current_version_id
        else []
    )
    page = ProposalPage(
        proposal=proposal,
        sections=sections,
        tallies=stance_tallies(proposal),
        attachments=list(proposal.attachments.all()),
        versions=list(proposal.versions.order_by("-number")),
        questions=list(proposal.questions.all()),
        tags=topics_of(proposal.tags.select_related("topic")),
        can_manage=rules.can_manage(user, proposal),
    )
    if user.is_authenticated:
        page.my_stances = dict(
            SectionStance.objects.filter(proposal=proposal, user=user).values_list(
                "section_id", "value"
            )
        )
        mine = (
            ProposalStance.objects.filter(proposal=proposal, user=user)
            .values_list("value", flat=True)
            .first()
        )
        if mine:
            page.my_stances[None] = mine
        page.following = Follow.objects.filter(proposal=proposal, user=user).exists()
    return page


def version_get(*, proposal: Proposal, number: int) -> ProposalVersion:
    return proposal.versions.prefetch_related(
        Prefetch("section_versions", queryset=SectionVersion.objects.order_by("order"))
    ).get(number=number)


def _translated_texts() -> dict:
    """Each language's heading and text in `translations`, "" where none, as
    names to compare a working section with its published snapshot."""
    return {
        f"text_{code.replace('-', '_')}_{field}": Coalesce(
            KT(f"translations__{code}__{field}"), Value(""), output_field=TextField()
        )
        for code in languages()
        for field in ("heading", "body")
    }


def with_unpublished_changes(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate `unpublished_changes`: the working draft's sections are not those
    of the current version (one added, removed, edited or moved), which is the
    comparison services.versions.version_publish makes. In SQL, inside the same query,
    so a list of any length costs nothing more. False before any version.
    A heading or text changed in any of its languages is a change."""
    current = OuterRef("current_version_id")
    texts = _translated_texts()
    identical = (
        SectionVersion.objects.alias(**texts)
        .filter(
            version_id=OuterRef(current),
            section_id=OuterRef("pk"),
            heading=OuterRef("heading"),
            body=OuterRef("body"),
        )
        .filter(**{name: OuterRef(name) for name in texts})
    )
    added_or_edited = (
        Section.objects.alias(**texts)
        .filter(proposal_id=OuterRef("pk"), is_removed=False)
        .filter(~Exists(identical))
    )
    removed = SectionVersion.objects.filter(version_id=current, section__is_removed=True)
    # With none added, edited or removed, the same sections remain: moved if
    # some pair stands in the other order (working order is order, then id).
    overtaken = SectionVersion.objects.filter(
        version_id=OuterRef("version_id"), order__gt=OuterRef("order")
    ).filter(
        Q(section__order__lt=OuterRef("section__order"))
        | Q(section__order=OuterRef("section__order"), section_id__lt=OuterRef("section_id"))
    )
    moved = SectionVersion.objects.filter(version_id=current).filter(Exists(overtaken))
    return queryset.annotate(
        unpublished_changes=ExpressionWrapper(
            Q(current_version__isnull=False)
            & (Q(Exists(added_or_edited)) | Q(Exists(removed)) | Q(Exists(moved))),
            output_field=BooleanField(),
        )
    )


def proposals_for_managing() -> QuerySet[Proposal]:
    """What an official's page about one consultation reads of it: what a
    public page reads, and its unpublished changes marked."""
    return with_unpublished_changes(
        Proposal.objects.select_related("department", "jurisdiction", "current_version")
    )


def section_preview(*, body: str) -> SafeString:
    """A section's text as its published version will show it: the renderer
    and sanitiser of services.versions.version_publish, nothing saved."""
    return mark_safe(render_markdown(body))  # noqa: S308 - sanitised by render_markdown
