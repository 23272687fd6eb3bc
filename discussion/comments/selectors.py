"""Reads of the discussion: a page of threads with all their replies in a
fixed number of queries, whatever the number of comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, OuterRef, Q, QuerySet, StringAgg, Subquery, Value, When
from django.db.models.functions import Least

from discussion.models import (
    DISPLAY_DEPTH,
    Comment,
    CommentVote,
    OfficialResponse,
    Pin,
    ThemedComment,
    public_comment,
    responses_for_display,
)
from proposals.models import Proposal, Section

PAGE_SIZE = 20
# Between theme names in the page's one query; theme names never contain it
# (discussion.moderation.curation refuses control characters).
THEME_SEPARATOR = "\x1f"


def _attach_responses(
    comments: list[Comment],
    *,
    place: Page | None = None,
    proposal: Proposal | None = None,
    section: Section | None = None,
) -> None:
    """The official answers of a page of comments, filled into each comment's
    `responses`; with `place`, also the answers to the page's section as a
    whole and to the themes its comments carry, set on the page as
    `section_responses` and `theme_responses`. One query for all of them."""
    found: dict[int, list[OfficialResponse]] = {c.pk: [] for c in comments}
    qs = OfficialResponse.objects.all()
    wanted = Q(comments__in=list(found))
    if place is not None:
        # One consultation's responses: its index narrows the OR below.
        qs = qs.filter(proposal=proposal)
        if section is not None:
            wanted |= Q(section=section)
        themes = sorted({name for c in comments for name in theme_names(c)})
        if themes:
            wanted |= Q(theme_name__in=themes)
    # The filter's join on the answered comments is reused by the annotation:
    # one row per (response, comment on this page), one row per section or
    # theme response (which answer no comment one by one).
    rows = (
        responses_for_display(qs.filter(wanted))
        .annotate(answered=F("comments__id"))
        .order_by("created_at", "pk")
    )
    here: dict[str, list[OfficialResponse]] = {"section": [], "theme": []}
    for row in rows:
        if row.answered is not None:
            found[row.answered].append(row)
        elif row.kind in here:
            here[row.kind].append(row)
    for comment in comments:
        comment.__dict__["responses"] = found[comment.pk]
    if place is not None:
        place.section_responses = here["section"]
        place.theme_responses = here["theme"]


SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "agreed": ("-agree_count", "-created_at", "-pk"),
    "discussed": ("-reply_count", "-created_at", "-pk"),
    # Most votes on both sides: what splits people, not what is merely popular.
    "controversial": ("-controversy", "-created_at", "-pk"),
}


@dataclass
class Node:
    comment: Comment
    children: list[Node] = field(default_factory=list)
    # Replies below the display depth continue on the comment's own page.
    continues: bool = False
    # The deepest level the page nests: its replies, even live ones, continue elsewhere.
    at_limit: bool = False


def with_themes(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    """Each comment's theme names, carried by the query that reads the comments,
    so that themes cost a page no query of their own."""
    names = (
        ThemedComment.objects.filter(content_object_id=OuterRef("pk"))
        .values("content_object_id")
        .annotate(names=StringAgg("tag__name", Value(THEME_SEPARATOR)))
        .values("names")
    )
    return qs.annotate(theme_list=Subquery(names))


def theme_names(comment: Comment) -> list[str]:
    """A comment's themes: as the page's query brought them, or read now (one
    query, for a comment rendered on its own, like a live fragment)."""
    if "theme_names" not in comment.__dict__:
        if hasattr(comment, "theme_list"):
            listed = comment.theme_list.split(THEME_SEPARATOR) if comment.theme_list else []
            names = sorted(listed, key=str.casefold)
        else:
            listed = ThemedComment.objects.filter(content_object_id=comment.pk).values_list(
                "tag__name", flat=True
            )
            names = sorted(listed, key=str.casefold)
        comment.__dict__["theme_names"] = names
    return comment.__dict__["theme_names"]


def pinned_comment(comment: Comment) -> bool:
    """Shown first with a "Pinned" badge: a public thread root with a pin (the
    page's query brings the pin along; a fragment on its own reads it)."""
    if comment.depth != 0 or not comment.is_public:
        return False
    try:
        return comment.pin is not None
    except Pin.DoesNotExist:
        return False


def _with_controversy(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    return qs.annotate(controversy=Least(F("agree_count"), F("disagree_count")))


def visible_to(qs: QuerySet[Comment], viewer) -> QuerySet[Comment]:
    """Comments held for review are shown to their author and to no one else
    on the discussion pages (moderators see them in their queue)."""
    if viewer is not None and viewer.is_authenticated:
        return qs.filter(Q(held_at__isnull=True) | Q(author_id=viewer.pk))
    return qs.filter(held_at__isnull=True)


def comment_roots(
    *, proposal: Proposal, section: Section | None, sort: str, question=None, viewer=None
) -> QuerySet[Comment]:
    """The threads of one place: a section, a question, or the proposal as a whole."""
    qs = visible_to(
        Comment.objects.filter(proposal=proposal, depth=0).select_related(
            "author", "pin", "appeal"
        ),
        viewer,
    )
    if section is not None:
        qs = qs.filter(section=section)
    elif question is not None:
        qs = qs.filter(question=question)
    else:
        qs = qs.filter(section__isnull=True, question__isnull=True)
    # The pinned thread comes first in every order, so it heads the first page
    # and appears nowhere else; a pin on a comment since hidden does not count.
    pin_first = Case(
        When(
            Q(pin__isnull=False) & public_comment(),
            then=Value(0),
        ),
        default=Value(1),
    )
    return with_themes(_with_controversy(qs)).order_by(pin_first, *SORTS.get(sort, SORTS["oldest"]))


def _tree(roots: list[Comment], replies: list[Comment], base_depth: int) -> list[Node]:
    nodes = {
        c.pk: Node(c, at_limit=c.depth - base_depth == DISPLAY_DEPTH - 1)
        for c in [*roots, *replies]
    }
    for reply in replies:
        parent = nodes.get(reply.parent_id)
        if parent is None:
            continue
        if reply.depth - base_depth >= DISPLAY_DEPTH:
            parent.continues = True
        else:
            parent.children.append(nodes[reply.pk])
    return [nodes[root.pk] for root in roots]


def comment_threads(
    *,
    proposal: Proposal,
    section: Section | None,
    sort: str = "oldest",
    page: str | int | None = 1,
    question=None,
    viewer=None,
):
    """(page of roots, their trees): the roots, then every reply of those threads.
    The page also carries the official answers to its section as a whole and
    to the themes on it (`section_responses`, `theme_responses`)."""
    roots = comment_roots(
        proposal=proposal, section=section, sort=sort, question=question, viewer=viewer
    )
    paginator = Paginator(roots, PAGE_SIZE)
    # "last": where the newest thread is in the oldest-first order (the live
    # notice of a new thread on another page links there).
    page_obj = paginator.get_page(paginator.num_pages if page == "last" else page)
    roots = list(page_obj.object_list)
    replies = list(
        with_themes(
            visible_to(
                Comment.objects.filter(root_id__in=[r.pk for r in roots], depth__gt=0), viewer
            )
        )
        .select_related("author", "appeal")
        .order_by("created_at", "pk")
    )
    for comment in [*roots, *replies]:
        comment.proposal = proposal  # one proposal for all: no query per comment
    _attach_responses([*roots, *replies], place=page_obj, proposal=proposal, section=section)
    return page_obj, _tree(roots, replies, base_depth=0)


def comment_subtree(*, comment: Comment, viewer=None) -> Node:
    """One comment and its replies, for threads deeper than the page shows."""
    descendants = [
        c
        for c in with_themes(
            visible_to(
                Comment.objects.filter(root_id=comment.root_id, depth__gt=comment.depth), viewer
            )
        )
        .select_related("author", "proposal", "appeal")
        .order_by("created_at", "pk")
    ]
    inside = {comment.pk}
    kept = []
    for c in descendants:  # in creation order, a parent always comes before its replies
        if c.parent_id in inside:
            inside.add(c.pk)
            kept.append(c)
    _attach_responses([comment, *kept])
    return _tree([comment], kept, base_depth=comment.depth)[0]


def my_votes(*, user, comment_ids: list[int]) -> dict[int, str]:
    if not user.is_authenticated or not comment_ids:
        return {}
    return dict(
        CommentVote.objects.filter(user=user, comment_id__in=comment_ids).values_list(
            "comment_id", "value"
        )
    )
