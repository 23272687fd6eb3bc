"""Fetch a consultation and check that the person may see it, or act on it.

One helper for every edge: pages, sockets and the API ask `access_proposal`
and get the consultation or a refusal. Someone who may not even see the
consultation (a draft, to anyone but its officials) is told it does not
exist, exactly as for a slug that names nothing; someone who may see it but
not do what they ask is refused with the reason given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise

from consult.accounts.models import User
from proposals import rules
from proposals.models import Proposal

type Person = User | AnonymousUser
type Rule = Callable[[Person, Proposal], bool]


def proposals_for_pages() -> QuerySet[Proposal]:
    """What a page about one consultation reads of it in the same query."""
    return Proposal.objects.select_related("department", "jurisdiction", "current_version")


def access_proposal(
    user: Person,
    *,
    slug: str | None = None,
    pk: int | None = None,
    queryset: QuerySet[Proposal] | None = None,
    may: Rule | None = None,
    refusal: str | Promise = "",
    hidden_when_refused: bool = False,
    see: Rule = rules.can_view,
) -> Proposal:
    """The consultation named by `slug` or `pk`, if `user` may see it.

    With `may`, also only if `user` may do the thing asked: otherwise
    PermissionDenied(refusal), or Http404 with `hidden_when_refused` (where
    even saying "not for you" would tell a draft exists).

    `see` is who may see it at all, `rules.can_view` unless a page is
    narrower: the officials' own pages pass `rules.can_manage`, so that to
    anyone else they do not exist (never a rule wider than `can_view`).
    """
    if (slug is None) == (pk is None):
        raise TypeError("access_proposal takes exactly one of slug and pk")
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    proposal = (proposals_for_pages() if queryset is None else queryset).filter(**lookup).first()
    if proposal is None or not see(user, proposal):
        raise Http404
    if may is not None and not may(user, proposal):
        if hidden_when_refused:
            raise Http404
        raise PermissionDenied(refusal)
    return proposal
