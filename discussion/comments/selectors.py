"""Reads of the discussion: a page of threads with all their replies in a
fixed number of queries, whatever the number of comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Least

from discussion.comments import paging
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
    place: paging.ThreadsPage | None = None,
    proposal: Proposal | None = None,
    section: Section | None = None,
) -> None:
    """The official answers of a page of comments, filled into each comment's
    `responses`; with `place`, also the answers to the page's section as a
    whole and to the themes its comments carry, set on the page as
    `section_responses` and `theme_responses`. One query when there are
    none, two when there are."""
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
    qs = qs.filter(wanted)
    rows = []
    # Most pages answer nothing yet: an existence check is far cheaper to
    # build and run than the full read (its joins and its subquery).
    if qs.exists():
        rows = (
            responses_for_display(qs)
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


SORTS = paging.SORT_KEYS


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
    *, proposal: Proposal, section: Section | None, question=None, viewer=None
) -> QuerySet[Comment]:
    """The threads of one place: a section, a question, or the proposal as a whole."""
    qs = visible_to(
        _with_controversy(
            Comment.objects.filter(proposal=proposal, depth=0).select_related("author", "pin")
        ),
        viewer,
    )
    if section is not None:
        return qs.filter(section=section)
    if question is not None:
        return qs.filter(section__isnull=True, question=question)
    return qs.filter(section__isnull=True, question__isnull=True)


def _place_key(section: Section | None, question) -> str:
    if section is not None:
        return f"section:{section.pk}"
    if question is not None:
        return f"question:{question.pk}"
    return "general"


def _pinned(roots: QuerySet[Comment], proposal: Proposal, place: str) -> Comment | None:
    """The place's pinned thread: it heads the first page in every order and
    appears on no other; a pin on a comment since hidden does not count."""
    # A place has one pin at most. Read by its key, not in the roots' order:
    # with an order the database may walk the section's roots looking for it.
    pin = Pin.objects.filter(proposal=proposal, place=place).values("comment_id")[:1]
    return with_themes(roots.filter(pk=Subquery(pin)).filter(public_comment())).order_by().first()


def _page_of_roots(
    roots: QuerySet[Comment], sort: str, page, after: str | None, before: str | None
) -> paging.ThreadsPage:
    """PAGE_SIZE threads from the cursor, one more read to know if there are more."""
    size = PAGE_SIZE
    found = paging.ThreadsPage(sort=sort, roots=[])
    start = paging.parse_cursor(after, sort)
    end = None if start else paging.parse_cursor(before, sort)
    if page == "last" or end is not None:
        qs = roots if end is None else paging.beyond(roots, sort, end, forward=False)
        rows = list(paging.ordered(qs, sort, forward=False)[: size + 1])
        found.has_previous = len(rows) > size
        found.roots = rows[:size][::-1]
        found.has_next = end is not None and _exists_beyond(roots, found, sort, forward=True)
        return found
    offset = _legacy_offset(page) if start is None else 0
    qs = roots if start is None else paging.beyond(roots, sort, start, forward=True)
    rows = list(paging.ordered(qs, sort)[offset : offset + size + 1])
    if not rows and offset:
        # Past the end, as an old link may be now: the last page, as before.
        return _page_of_roots(roots, sort, "last", None, None)
    found.has_next = len(rows) > size
    found.roots = rows[:size]
    found.has_previous = bool(offset) or (
        start is not None and _exists_beyond(roots, found, sort, forward=False)
    )
    return found


def _exists_beyond(roots, found: paging.ThreadsPage, sort: str, *, forward: bool) -> bool:
    if not found.roots:
        return False
    edge = found.roots[-1] if forward else found.roots[0]
    values = paging.parse_cursor(paging.cursor_of(edge, sort), sort)
    return paging.beyond(roots, sort, values, forward=forward).exists()


def _legacy_offset(page) -> int:
    """`?page=N` from before pages had cursors: still where it was."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 0
    return (number - 1) * PAGE_SIZE if 1 < number < 10**6 else 0


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
    after: str | None = None,
    before: str | None = None,
) -> tuple[paging.ThreadsPage, list[Node]]:
    """(page of roots, their trees): the roots, then every reply of those threads.
    The page also carries the official answers to its section as a whole and
    to the themes on it (`section_responses`, `theme_responses`)."""
    sort = sort if sort in paging.SORT_KEYS else "oldest"
    roots_qs = comment_roots(proposal=proposal, section=section, question=question, viewer=viewer)
    pinned = _pinned(roots_qs, proposal, _place_key(section, question))
    if pinned is not None:
        roots_qs = roots_qs.exclude(pk=pinned.pk)
    page_obj = _page_of_roots(with_themes(roots_qs), sort, page, after, before)
    if pinned is not None and not page_obj.has_previous:
        page_obj.roots.insert(0, pinned)
    roots = page_obj.roots
    if roots:
        page_obj.first_cursor = paging.cursor_of(roots[0], sort)
        page_obj.last_cursor = paging.cursor_of(roots[-1], sort)
    replies = list(
        with_themes(
            visible_to(
                Comment.objects.filter(root_id__in=[r.pk for r in roots], depth__gt=0), viewer
            )
        )
        .select_related("author")
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
