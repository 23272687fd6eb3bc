"""Fetch a discussion object and check that the person may see it, or act on it.

One helper per object, for every edge (pages, sockets, the API) and every
service: the acting person as the database has them now, the comment a
reader may see, and the comment a moderator acts on. A consultation is
fetched through `proposals.access.access_proposal`.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from discussion import rules
from discussion.models import Comment
from discussion.moderation.selectors import claimed_by_other
from proposals import rules as proposal_rules

SIGN_IN = _("Sign in to take part in the discussion.")
VERIFY_EMAIL = _("Confirm your email address to take part: follow the link we sent you.")
NOT_MODERATOR = _("Only moderators of this consultation's department can do that.")
OWN_COMMENT = _("You cannot moderate your own comment: another moderator will.")
TAKEN = _("%(name)s is handling this comment. Take it over to act on it anyway.")


def fresh_actor(actor: User | AnonymousUser) -> User:
    """The acting person as the database has them now: a suspension saved a
    second ago counts, whatever object a long-lived socket still holds."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    fresh = (
        User.objects.filter(pk=actor.pk, is_active=True)
        .annotate(verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
        .first()
    )
    if fresh is None:
        raise PermissionDenied(SIGN_IN)
    if not fresh.verified:
        raise PermissionDenied(VERIFY_EMAIL)
    account_rules.ensure_not_sanctioned(fresh)
    return fresh


def access_comment(user: User | AnonymousUser, pk: int) -> Comment:
    """The comment, if `user` may see it (else Http404): its consultation
    visible to them and, while it awaits review, only to its author and the
    moderators."""
    comment = get_object_or_404(Comment.objects.select_related("proposal", "author"), pk=pk)
    if not proposal_rules.can_view(user, comment.proposal):
        raise Http404
    if (
        comment.is_held
        and comment.author_id != user.pk
        and not rules.can_moderate(user, comment.proposal)
    ):
        raise Http404
    return comment


def access_moderated_comment(
    actor: User, comment_id: int, *, take_over: bool = False
) -> tuple[User, Comment]:
    """The comment locked for a moderator's decision, and the moderator as
    they are now; refused when they do not moderate it, wrote it, or another
    moderator has it (unless `take_over`). Inside a transaction."""
    # Locked: two moderators acting on one comment take turns, and the second is told.
    # Only the comment's row: PostgreSQL locks no row of an outer join (claimed_by).
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("proposal", "proposal__department", "author", "claimed_by")
        .get(pk=comment_id)
    )
    actor = fresh_actor(actor)
    if not rules.can_moderate(actor, comment.proposal):
        raise PermissionDenied(NOT_MODERATOR)
    if comment.author_id == actor.pk:
        # Another moderator decides on a moderator's own words.
        raise PermissionDenied(OWN_COMMENT)
    if not take_over and claimed_by_other(comment, actor):
        # Never two moderators on one item unknowingly: the second is told who.
        raise ValidationError(TAKEN, params={"name": comment.claimed_by.public_name})
    return actor, comment
