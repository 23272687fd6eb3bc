"""Reads for "Your activity" and the public profile.

Each kind of contribution is one list, read with its consultation (and what
else its line shows) joined in: a shelf of the latest few on the overview, a
page of them on the kind's own page. The queries are the same in number for a
person with three contributions and for one with thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from discussion.models import Comment, CommentVote, OfficialResponse, public_comment
from discussion.submissions.models import FormResponse
from proposals.models import PUBLIC_STATUSES, Follow, ProposalStance, SectionStance

# The latest of each kind on the overview; the rest on the kind's own pages.
SHELF_SIZE = 10
PAGE_SIZE = 50


def comments_of(user: User) -> QuerySet[Comment]:
    """Their comments and replies, newest first; not those they deleted."""
    return (
        Comment.objects.filter(author=user, is_deleted=False)
        .select_related("proposal", "section", "question", "parent__author")
        .order_by("-created_at", "-pk")
    )


def responses_to(user: User) -> QuerySet[OfficialResponse]:
    """Official responses to any of their comments, newest first, each with
    the comments of theirs it answers (`answered`)."""
    answers_theirs = OfficialResponse.comments.through.objects.filter(
        officialresponse_id=OuterRef("pk"), comment__author=user
    )
    theirs = Comment.objects.filter(author=user).select_related("proposal").order_by("pk")
    return (
        OfficialResponse.objects.filter(Exists(answers_theirs))
        .select_related("proposal", "department")
        .prefetch_related(Prefetch("comments", queryset=theirs, to_attr="answered"))
        .order_by("-created_at", "-pk")
    )


def votes_of(user: User) -> QuerySet[CommentVote]:
    return (
        CommentVote.objects.filter(user=user)
        .select_related("comment__proposal", "comment__author")
        .order_by("-updated_at", "-pk")
    )


def stances_of(user: User) -> QuerySet[ProposalStance]:
    return (
        ProposalStance.objects.filter(user=user)
        .select_related("proposal")
        .order_by("-updated_at", "-pk")
    )


def section_stances_of(user: User) -> QuerySet[SectionStance]:
    return (
        SectionStance.objects.filter(user=user)
        .select_related("proposal", "section")
        .order_by("-updated_at", "-pk")
    )


def form_responses_of(user: User) -> QuerySet[FormResponse]:
    """Their responses to consultations' forms, drafts and submitted."""
    return (
        FormResponse.objects.filter(respondent=user)
        .select_related("proposal")
        .order_by("-updated_at", "-pk")
    )


def follows_of(user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(user=user).select_related("proposal").order_by("-created_at")


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    empty: str
    rows: Callable[[User], QuerySet]


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "comments",
            _("Your comments and replies"),
            _("You have not commented yet. Comments you write on a consultation appear here."),
            comments_of,
        ),
        Kind(
            "responses",
            _("Official responses to what you said"),
            _("No official has responded to your comments yet."),
            responses_to,
        ),
        Kind(
            "votes",
            _("Your votes on comments"),
            _("You have not voted on any comment."),
            votes_of,
        ),
        Kind(
            "stances",
            _("Your stances on consultations"),
            _("You have not taken a stance on any consultation."),
            stances_of,
        ),
        Kind(
            "section-stances",
            _("Your stances on sections"),
            _("You have not taken a stance on any section."),
            section_stances_of,
        ),
        Kind(
            "forms",
            _("Your form responses"),
            _("You have not started a response to a consultation's form."),
            form_responses_of,
        ),
        Kind(
            "follows",
            _("Consultations you follow"),
            _("You do not follow any consultation. Follow one from its page to hear of changes."),
            follows_of,
        ),
    )
}


@dataclass
class Shelf:
    kind: Kind
    items: list
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


def activity_overview(user: User) -> list[Shelf]:
    """The latest of each kind, and how many there are: two queries a kind
    (and one for the comments that official responses answer)."""
    shelves = []
    for kind in KINDS.values():
        rows = kind.rows(user)
        shelves.append(Shelf(kind, list(rows[:SHELF_SIZE]), rows.count()))
    return shelves


def activity_page(user: User, kind: Kind, number: object) -> Page:
    """One page of one kind (a page number past the end gives the last page)."""
    return activity_page_of(kind.rows(user), number)


def activity_page_of(rows: QuerySet, number: object) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(number)


def public_person(pk: int) -> User | None:
    """The person whose public profile this is, if they chose to have one and
    still take part: nobody for a deleted, banned or deactivated account."""
    return User.objects.filter(
        pk=pk,
        profile_public=True,
        is_active=True,
        deleted_at__isnull=True,
        banned_at__isnull=True,
    ).first()


def public_comments_of(user: User) -> QuerySet[Comment]:
    """What anyone can read of theirs: comments whose words are public, on
    consultations the public can see."""
    return (
        Comment.objects.filter(public_comment(), author=user, proposal__status__in=PUBLIC_STATUSES)
        .select_related("proposal", "section", "question")
        .order_by("-created_at", "-pk")
    )
