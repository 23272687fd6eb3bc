"""Moderators' curation of what the public said: highlighting a constructive
comment, pinning one thread at the top of a discussion, tagging comments with
themes for the summary, and marking a comment as similar to an earlier one.

None of it changes a citizen's words. Each action locks the comment, re-checks
the moderator's role on fresh rows (and refuses an item another moderator is
handling), goes on the audit log, and, when the public can see the change,
goes out live so that every open page shows it at once.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra import names
from consult.infra.text import TextRule, clean_text
from discussion.access import access_moderated_comment
from discussion.comments.services import comment_fragment, rewrite_history
from discussion.live.events import event_append
from discussion.models import Comment, Pin, ThemedComment
from discussion.moderation import services as moderation
from proposals.models import Proposal

NOT_PUBLIC = _("Only a public comment can be highlighted or pinned.")
DELETED = _("That comment has been deleted by its author.")
ALREADY_HIGHLIGHTED = _("This comment is already highlighted.")
NOT_HIGHLIGHTED = _("This comment is not highlighted.")
PIN_ROOT_ONLY = _("Only a comment that starts a thread can be pinned; this one is a reply.")
ALREADY_PINNED = _("This comment is already pinned.")
NOT_PINNED = _("This comment is not pinned.")
THEME_EMPTY = _("Give the theme a name.")
THEME_TOO_LONG = _("Keep a theme's name to %(limit)d characters.")
THEME_CHARACTERS = _("A theme's name can only contain letters, digits, punctuation and spaces.")
THEME_TOO_MANY = _("A comment can have at most %(limit)d themes; remove one first.")
THEME_ALREADY = _("This comment already has the theme “%(name)s”.")
THEME_MISSING = _("This comment has no theme “%(name)s”.")
ORIGINAL_NEEDED = _("Give the number or the address of the earlier comment.")
ORIGINAL_NOT_FOUND = _("There is no comment with that number or address.")
ORIGINAL_SELF = _("A comment cannot be a duplicate of itself.")
ORIGINAL_ELSEWHERE = _("The earlier comment must be in the same consultation.")
ORIGINAL_LOOP = _(
    "That comment is already marked as similar to this one; this one is the original."
)
ORIGINAL_NOT_EARLIER = _(
    "The original must be the earlier of the two: mark the later comment as its duplicate."
)
ORIGINAL_NOT_PUBLIC = _("The earlier comment is not public; choose one that readers can see.")
ALREADY_DUPLICATE = _("This comment is already marked as similar to that comment.")
NOT_DUPLICATE = _("This comment is not marked as a duplicate.")

THEME_LIMIT = 50
THEMES_PER_COMMENT = 10
REFERENCE_LIMIT = 500
# Comment ids fit a signed 64-bit column: anything longer is not an id.
_ID = r"\d{1,18}"


def _optional_reason(reason: str) -> str:
    rule = TextRule("reason", moderation.REASON_LIMIT, moderation.REASON_TOO_LONG, one_line=True)
    return clean_text(reason, rule)


def _announce(comment: Comment) -> None:
    """Every open page shows the comment as it is now, and so does a replay.
    Rendered from a fresh read, so no relation cached before the change shows."""
    # Locked: a hide committing meanwhile is seen, never overwritten with public words.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("proposal", "author")
        .get(pk=comment.pk)
    )
    if not comment.is_public:
        return
    rewrite_history(comment)
    event_append(
        proposal=comment.proposal,
        type="comment.curated",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )


def _curated(
    comment: Comment, *, actor: User, action: str, before: dict, after: dict, reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=comment,
        department=comment.proposal.department,
        before=before,
        after=after,
        reason=reason,
        scope=moderation.scope(comment),
    )
    _announce(comment)


def _ensure_public(comment: Comment) -> None:
    if comment.is_deleted:
        raise ValidationError(DELETED)
    if not comment.is_public:
        raise ValidationError(NOT_PUBLIC)


# --- highlighting ---------------------------------------------------------------


@transaction.atomic
def comment_highlight(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> Comment:
    """Mark a comment as constructive: readers see "Highlighted by moderators"."""
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    _ensure_public(comment)
    if comment.highlighted_at is not None:
        raise ValidationError(ALREADY_HIGHLIGHTED)
    comment.highlighted_at = timezone.now()
    comment.save(update_fields=["highlighted_at"])
    _curated(
        comment,
        actor=actor,
        action="comment.highlight",
        before={"highlighted": False},
        after={"highlighted": True},
        reason=reason,
    )
    return comment


@transaction.atomic
def comment_unhighlight(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> Comment:
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if comment.highlighted_at is None:
        raise ValidationError(NOT_HIGHLIGHTED)
    comment.highlighted_at = None
    comment.save(update_fields=["highlighted_at"])
    _curated(
        comment,
        actor=actor,
        action="comment.unhighlight",
        before={"highlighted": True},
        after={"highlighted": False},
        reason=reason,
    )
    return comment


# --- pinning --------------------------------------------------------------------


@transaction.atomic
def comment_pin(*, actor: User, comment: Comment, reason: str = "", take_over: bool = False) -> Pin:
    """Pin a thread at the top of its discussion, in place of the one pinned before."""
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    _ensure_public(comment)
    if comment.depth != 0:
        raise ValidationError(PIN_ROOT_ONLY)
    # Locked: two moderators pinning in one consultation at once take turns,
    # so the second replaces the first and exactly one pin remains.
    Proposal.objects.select_for_update().only("pk").get(pk=comment.proposal_id)
    place = comment.place_key()
    previous = (
        Pin.objects.filter(proposal_id=comment.proposal_id, place=place)
        .select_related("comment__proposal__department")
        .first()
    )
    if previous is not None and previous.comment_id == comment.pk:
        raise ValidationError(ALREADY_PINNED)
    if previous is not None:
        previous.delete()
        _curated(
            previous.comment,
            actor=actor,
            action="comment.unpin",
            before={"pinned": True},
            after={"pinned": False, "replaced_by": comment.pk},
            reason=reason,
        )
    pin = Pin.objects.create(
        proposal_id=comment.proposal_id, place=place, comment=comment, pinned_by=actor
    )
    _curated(
        comment,
        actor=actor,
        action="comment.pin",
        before={"pinned": False, "replacing": previous.comment_id if previous else None},
        after={"pinned": True, "place": place},
        reason=reason,
    )
    return pin


@transaction.atomic
def comment_unpin(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> Comment:
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    deleted, _rows = Pin.objects.filter(comment_id=comment.pk).delete()
    if not deleted:
        raise ValidationError(NOT_PINNED)
    _curated(
        comment,
        actor=actor,
        action="comment.unpin",
        before={"pinned": True},
        after={"pinned": False},
        reason=reason,
    )
    return comment


# --- themes ---------------------------------------------------------------------


def clean_theme(name: str) -> str:
    """One theme name as people will read it in the summary: spaces tidied,
    nothing invisible or direction-changing, and short enough for a chip."""
    name = names.tidy(name)
    if not name:
        raise ValidationError({"theme": ValidationError(THEME_EMPTY)})
    if len(name) > THEME_LIMIT:
        raise ValidationError(
            {"theme": ValidationError(THEME_TOO_LONG, params={"limit": THEME_LIMIT})}
        )
    if not names.is_clean(name):
        raise ValidationError({"theme": ValidationError(THEME_CHARACTERS)})
    return name


def _themes_of(comment: Comment) -> list[ThemedComment]:
    return list(ThemedComment.objects.filter(content_object=comment).select_related("tag"))


def _names(themes: list[ThemedComment]) -> list[str]:
    return sorted((theme.tag.name for theme in themes), key=str.casefold)


def _tag_lock(name: str) -> None:
    """Two moderators creating "Noise" and "noise" at once must end with one
    tag, and the tags' unique name is case-sensitive: on PostgreSQL they take
    turns on a lock for the name, held to the end of the transaction. (SQLite
    runs one writing transaction at a time already.)"""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(name.casefold().encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _tag_named(name: str) -> Tag:
    """The existing tag of that name whatever its case ("Traffic" and "traffic"
    are one theme), or a new one. Two moderators creating it at once share it."""
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is not None:
        return tag
    _tag_lock(name)
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name)
    except IntegrityError:
        return Tag.objects.filter(name__iexact=name).order_by("pk").first()


@transaction.atomic
def comment_theme_add(*, actor: User, comment: Comment, name: str, take_over: bool = False) -> Tag:
    name = clean_theme(name)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if comment.is_deleted:
        raise ValidationError(DELETED)
    themes = _themes_of(comment)
    for theme in themes:
        if theme.tag.name.casefold() == name.casefold():
            raise ValidationError(THEME_ALREADY, params={"name": theme.tag.name})
    if len(themes) >= THEMES_PER_COMMENT:
        raise ValidationError(THEME_TOO_MANY, params={"limit": THEMES_PER_COMMENT})
    tag = _tag_named(name)
    ThemedComment.objects.create(content_object=comment, tag=tag)
    before = _names(themes)
    _curated(
        comment,
        actor=actor,
        action="comment.theme_add",
        before={"themes": before},
        after={"themes": sorted([*before, tag.name], key=str.casefold)},
    )
    return tag


@transaction.atomic
def comment_theme_remove(
    *, actor: User, comment: Comment, name: str, take_over: bool = False
) -> Comment:
    name = " ".join((name or "").split())
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    themes = _themes_of(comment)
    found = next((t for t in themes if t.tag.name.casefold() == name.casefold()), None)
    if found is None:
        raise ValidationError(THEME_MISSING, params={"name": name[:THEME_LIMIT]})
    found.delete()
    _curated(
        comment,
        actor=actor,
        action="comment.theme_remove",
        before={"themes": _names(themes)},
        after={"themes": _names([t for t in themes if t.pk != found.pk])},
    )
    return comment


# --- duplicates -----------------------------------------------------------------


def comment_reference(text: str | int) -> int:
    """The id of the comment a moderator points at: its number, or the address
    of its page or of the discussion with `#comment-<id>`."""
    if isinstance(text, int):
        return text
    text = (text or "").strip()
    if not text or len(text) > REFERENCE_LIMIT:
        raise ValidationError({"original": ValidationError(ORIGINAL_NEEDED)})
    if match := re.fullmatch(rf"#?({_ID})", text, re.ASCII):
        return int(match.group(1))
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValidationError({"original": ValidationError(ORIGINAL_NEEDED)}) from None
    if match := re.fullmatch(rf"comment-({_ID})", parts.fragment, re.ASCII):
        return int(match.group(1))
    try:
        found = resolve(parts.path or "/")
    except Resolver404:
        found = None
    if found is not None and found.view_name == "discussion:comment":
        return found.kwargs["pk"]
    raise ValidationError({"original": ValidationError(ORIGINAL_NEEDED)})


def _original_for(comment: Comment, original_id: int) -> Comment:
    if original_id == comment.pk:
        raise ValidationError(ORIGINAL_SELF)
    original = Comment.objects.filter(pk=original_id).first()
    if original is None:
        raise ValidationError(ORIGINAL_NOT_FOUND)
    if original.proposal_id != comment.proposal_id:
        raise ValidationError(ORIGINAL_ELSEWHERE)
    if original.duplicate_of_id is not None:
        # Every duplicate points straight at the original, never along a chain.
        if original.duplicate_of_id == comment.pk:
            raise ValidationError(ORIGINAL_LOOP)
        original = Comment.objects.get(pk=original.duplicate_of_id)
    if not original.is_public:
        raise ValidationError(ORIGINAL_NOT_PUBLIC)
    if (original.created_at, original.pk) >= (comment.created_at, comment.pk):
        raise ValidationError(ORIGINAL_NOT_EARLIER)
    return original


@transaction.atomic
def comment_mark_duplicate(
    *,
    actor: User,
    comment: Comment,
    original: str | int,
    reason: str = "",
    take_over: bool = False,
) -> Comment:
    """Mark a comment as similar to an earlier one. It stays visible (a
    campaign of identical comments is counted honestly in the summary)."""
    original_id = comment_reference(original)
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if comment.is_deleted:
        raise ValidationError(DELETED)
    original = _original_for(comment, original_id)
    if comment.duplicate_of_id == original.pk:
        raise ValidationError(ALREADY_DUPLICATE)
    before = comment.duplicate_of_id
    comment.duplicate_of = original
    comment.save(update_fields=["duplicate_of"])
    # Those marked as similar to this one now point at its original too.
    followers = list(
        Comment.objects.select_for_update().filter(duplicate_of_id=comment.pk).order_by("pk")
    )
    Comment.objects.filter(pk__in=[f.pk for f in followers]).update(duplicate_of=original)
    _curated(
        comment,
        actor=actor,
        action="comment.mark_duplicate",
        before={"duplicate_of": before},
        after={"duplicate_of": original.pk, "also_moved": [f.pk for f in followers]},
        reason=reason,
    )
    for follower in followers:
        _announce(follower)
    return comment


@transaction.atomic
def comment_unmark_duplicate(
    *, actor: User, comment: Comment, reason: str = "", take_over: bool = False
) -> Comment:
    reason = _optional_reason(reason)
    actor, comment = access_moderated_comment(actor, comment.pk, take_over=take_over)
    if comment.duplicate_of_id is None:
        raise ValidationError(NOT_DUPLICATE)
    before = comment.duplicate_of_id
    comment.duplicate_of = None
    comment.save(update_fields=["duplicate_of"])
    _curated(
        comment,
        actor=actor,
        action="comment.unmark_duplicate",
        before={"duplicate_of": before},
        after={"duplicate_of": None},
        reason=reason,
    )
    return comment
