"""What several endpoints do alike: fetch a public consultation, read a query
value, and find who writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError

from consult.api.models import AccessToken
from consult.opendata import public
from consult.opendata.pseudonyms import Kind, Pseudonyms
from discussion.comments import selectors as discussion_selectors
from proposals.access import access_proposal
from proposals.models import Proposal

READ_ONLY_TOKEN = _(
    "This token may only read. Make a token that may write in your account to do this."
)
WHEN_INVALID = _("updated_since must be a date and time such as 2026-11-01T09:00:00Z (ISO 8601).")
NUMBER_INVALID = _("%(name)s must be a whole number.")


def public_proposal(slug: str) -> Proposal:
    """The public consultation of that slug, as anyone sees it (whoever's
    token asks), or a 404."""
    return access_proposal(
        AnonymousUser(), slug=slug, queryset=public.proposals().prefetch_related("tags")
    )


def public_comments(proposal: Proposal):
    """The consultation's public comments, with what their shape shows."""
    return discussion_selectors.with_themes(
        public.comments(proposal).select_related("version").prefetch_related("official_responses")
    )


def comment_context(request, proposal: Proposal) -> dict:
    """What the Comment shape needs beside the comments of one consultation."""
    authors = Pseudonyms(proposal.pk, Kind.AUTHOR)
    return {"request": request, "consultation": proposal.slug, "authors": authors}


def when(raw: str):
    """An ISO 8601 date and time (UTC when it names no zone), or a 400."""
    try:
        moment = parse_datetime(raw) if raw.isascii() else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, timezone.UTC)
            moment.astimezone(timezone.UTC)  # a year past 9999 once in UTC
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ValidationError({"updated_since": [WHEN_INVALID]})
    return moment


def whole_number(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: [NUMBER_INVALID % {"name": name}]})
    return int(raw)


def writer(request):
    """The token's owner, if the token may write."""
    token = request.auth
    if not isinstance(token, AccessToken):
        raise NotAuthenticated()
    if not token.can_write:
        raise PermissionDenied(READ_ONLY_TOKEN)
    return request.user
