"""A post's key: the same post sent twice is stored once.

The page chooses a key for each draft (a UUID: the browser makes one, and the
plain form carries one drawn with the page) and sends it with every attempt
at posting that draft. When an answer is lost (a socket dropped, a network
blip, a double click), the attempt is sent again with the same key and gets
the comment stored the first time, as if it were the first answer: never a
second comment, never an error that reads as if the words were lost.

A key is its author's: the database holds it once per author (see
Comment.client_key), which also settles two attempts arriving together.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from discussion.comments.places import Place
from discussion.models import Comment

# The canonical form: 32 hexadecimal digits in five groups joined by hyphens.
KEY_LENGTH = 36

KEY_TOO_LONG = _(
    "This post's key is %(length)d characters long; a key is a UUID of %(limit)d characters. "
    "Your text is kept: send it again."
)
KEY_NOT_UUID = _(
    "This post's key is not a UUID (such as 123e4567-e89b-42d3-a456-426614174000). "
    "Your text is kept: send it again."
)
KEY_TAKEN = _(
    "This post's key belongs to another person's comment, so nothing was posted. "
    "Your text is kept: send it again."
)
KEY_REUSED = _(
    "A different comment was already posted with this post's key, so this one was not. "
    "Your text is kept: send it again."
)


def post_key_new() -> str:
    """A key for a form drawn by the server (a page without scripts)."""
    return str(uuid.uuid4())


def post_key_parse(value: str | None) -> uuid.UUID | None:
    """The key as sent, or None when none was sent; a malformed one is refused."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > KEY_LENGTH:
        raise ValidationError(
            KEY_TOO_LONG, code="key_too_long", params={"length": len(value), "limit": KEY_LENGTH}
        )
    try:
        key = uuid.UUID(value)
    except ValueError:
        raise ValidationError(KEY_NOT_UUID, code="key_not_uuid") from None
    if key.int == 0:  # the nil UUID: the one key every careless client would share
        raise ValidationError(KEY_NOT_UUID, code="key_not_uuid")
    return key


def posted_with_key(*, actor: User, key: uuid.UUID, body: str, place: Place) -> Comment | None:
    """The comment `actor` already posted with this key, when this is that
    same post sent again; None when the key is new. Refuses the key of
    another person's comment, and the key of a different post (other words,
    another place), so that nothing is written under a key that does not fit.
    `body` is the text as cleaned for storing."""
    # Every holder of the key: one at most, unless someone copied another's.
    holders = dict(Comment.objects.filter(client_key=key).values_list("author_id", "pk"))
    if not holders:
        return None
    if actor.pk not in holders:
        raise ValidationError(KEY_TAKEN, code="key_taken")
    comment = Comment.objects.select_related("proposal", "author").get(pk=holders[actor.pk])
    if not _same_post(comment, body, place):
        raise ValidationError(KEY_REUSED, code="key_reused")
    return comment


def _same_post(comment: Comment, body: str, place: Place) -> bool:
    """The same words (as first sent: an edit or a deletion since does not
    make the first attempt's retry a different post) in the same place."""
    if place.parent is not None:
        if comment.parent_id != place.parent.pk:
            return False
    elif (
        comment.parent_id is not None
        or comment.section_id != (place.section.pk if place.section else None)
        or comment.question_id != (place.question.pk if place.question else None)
    ):
        return False
    first_words = comment.revisions.order_by("written_at", "pk").values_list("body", flat=True)
    return body in (first_words.first() or comment.body, comment.body)
