"""Reads of official responses: the page for answering many comments at
once (its filters, its comments, the sections and themes it offers) and the
answers to each section for a proposal's page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from consult.infra.translations import text_in
from discussion.comments.selectors import with_themes
from discussion.models import Comment, OfficialResponse, ThemedComment, responses_for_display
from proposals.models import Proposal, ProposalVersion, Section

BULK_PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200
SEARCH_TERMS_MAX = 10
# One response to this many comments at most: past it, what was selected is
# more likely a mistake than a set of similar comments, and the request
# stays well inside DATA_UPLOAD_MAX_NUMBER_FIELDS (1000).
RESPONSE_BULK_MAX = 500
TOO_MANY = _("At most %(limit)d comments can be answered at once; %(count)d were chosen.")
MATCHING_CHANGED = _(
    "The comments matching these filters changed since the page was drawn "
    "(%(before)d then, %(now)d now). Check them and apply again."
)

# --- the page for answering many comments ----------------------------------------

ORDERS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "agreed": ("-agree_count", "-created_at", "-pk"),
    "discussed": ("-reply_count", "-created_at", "-pk"),
}
ORDER_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("agreed", _("Most agreed")),
    ("discussed", _("Most replies")),
]
WHOLE = "whole"  # the section filter's value for the proposal as a whole and its questions


@dataclass(frozen=True)
class RespondFilters:
    section: str = ""  # "", WHOLE, or a section's id
    theme: str = ""  # a theme tag's slug
    q: str = ""
    unanswered: bool = False
    order: str = "newest"

    @property
    def section_id(self) -> int | None:
        return int(self.section) if self.section.isdigit() else None

    def query(self, **extra: object) -> str:
        """The filters as a query string, without the defaults."""
        pairs = [
            ("section", self.section),
            ("theme", self.theme),
            ("q", self.q),
            ("unanswered", "1" if self.unanswered else ""),
            ("order", "" if self.order == "newest" else self.order),
            *((name, str(value)) for name, value in extra.items()),
        ]
        return urlencode([(name, value) for name, value in pairs if value])


def _one_line(raw: str | None, limit: int) -> str:
    return " ".join((raw or "").replace("\x00", "").split())[:limit]


def respond_filters(params: QueryDict) -> RespondFilters:
    """The page's filters from its query string; anything unusable is dropped."""
    section = _one_line(params.get("section"), 12)
    if section != WHOLE and not (section.isascii() and section.isdigit()):
        section = ""
    order = params.get("order", "")
    return RespondFilters(
        section=section,
        theme=_one_line(params.get("theme"), 100),
        q=_one_line(params.get("q"), SEARCH_MAX_LENGTH),
        unanswered=params.get("unanswered", "") in {"1", "on", "true"},
        order=order if order in ORDERS else "newest",
    )


def respondable_comments(*, proposal: Proposal, filters: RespondFilters) -> QuerySet[Comment]:
    """The consultation's public comments (replies included) that the filters keep."""
    answered = Exists(OfficialResponse.comments.through.objects.filter(comment_id=OuterRef("pk")))
    qs = Comment.objects.public().filter(proposal=proposal)
    if filters.section == WHOLE:
        qs = qs.filter(section__isnull=True)
    elif filters.section_id is not None:
        qs = qs.filter(section_id=filters.section_id)
    if filters.theme:
        qs = qs.filter(
            pk__in=ThemedComment.objects.filter(tag__slug=filters.theme).values("content_object_id")
        )
    for term in filters.q.split()[:SEARCH_TERMS_MAX]:
        qs = qs.filter(body__icontains=term)
    if filters.unanswered:
        qs = qs.filter(~answered)
    return qs.annotate(answered=answered).order_by(*ORDERS[filters.order])


@dataclass
class RespondPage:
    page: Page
    comments: list[Comment]
    sections: list[Section]
    themes: list[Tag]
    versions: list[ProposalVersion]
    # Answers to a section or a theme as a whole, of the whole consultation.
    place_responses: list[OfficialResponse]

    @property
    def matching(self) -> int:
        return self.page.paginator.count

    def responses_to_section(self, section_id: int | None) -> list[OfficialResponse]:
        return [r for r in self.place_responses if section_id and r.section_id == section_id]

    def responses_to_theme(self, slug: str) -> list[OfficialResponse]:
        return [r for r in self.place_responses if slug and r.theme and r.theme.slug == slug]


def respond_page(
    *, proposal: Proposal, filters: RespondFilters, page: str | int | None
) -> RespondPage:
    """A page of comments to answer, and what its forms offer: a fixed number
    of queries whatever the number of comments."""
    qs = with_themes(respondable_comments(proposal=proposal, filters=filters))
    page_obj = Paginator(qs.select_related("author"), BULK_PAGE_SIZE).get_page(page)
    comments = list(page_obj.object_list)
    for comment in comments:
        comment.proposal = proposal
    sections = list(proposal.sections.order_by("order", "pk"))
    headings = {s.pk: text_in(s, "heading") for s in sections}
    for comment in comments:
        comment.place_heading = headings.get(comment.section_id, "")
    place_responses = list(
        responses_for_display(
            OfficialResponse.objects.filter(proposal=proposal).filter(
                Q(section__isnull=False) | ~Q(theme_name="")
            )
        )
        .select_related("theme")
        .order_by("created_at", "pk")
    )
    answered_sections = {r.section_id for r in place_responses if r.section_id}
    for section in sections:
        section.answered = section.pk in answered_sections
    answered_themes = {r.theme_id for r in place_responses if r.theme_id}
    items = "discussion_themedcomment_items"
    themes = list(
        Tag.objects.filter(**{f"{items}__content_object__proposal": proposal})
        .annotate(comment_count=Count(items, distinct=True))
        .order_by(Lower("name"), "pk")
    )
    for theme in themes:
        theme.answered = theme.pk in answered_themes
    return RespondPage(
        page=page_obj,
        comments=comments,
        sections=sections,
        themes=themes,
        versions=list(proposal.versions.order_by("-number")),
        place_responses=place_responses,
    )


def matching_ids(*, proposal: Proposal, filters: RespondFilters, expected: int) -> list[int]:
    """Every comment the filters keep, when the official chose "all of them":
    refused if they are not the number the page showed, or too many."""
    qs = respondable_comments(proposal=proposal, filters=filters)
    count = qs.count()
    if count != expected:
        raise ValidationError(MATCHING_CHANGED, params={"before": expected, "now": count})
    if count > RESPONSE_BULK_MAX:
        raise ValidationError(TOO_MANY, params={"limit": RESPONSE_BULK_MAX, "count": count})
    return list(qs.order_by("pk").values_list("pk", flat=True))


def section_responses(*, proposal: Proposal) -> dict[int, list[OfficialResponse]]:
    """The answers to each section as a whole, for the proposal's page: one query."""
    found: dict[int, list[OfficialResponse]] = {}
    rows = responses_for_display(
        OfficialResponse.objects.filter(proposal=proposal, section__isnull=False)
    ).order_by("created_at", "pk")
    for response in rows:
        found.setdefault(response.section_id, []).append(response)
    return found
