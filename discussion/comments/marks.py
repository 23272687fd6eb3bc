"""Which comments are the reader's own, without saying who anyone is.

A page's script needs to know only "is this mine": to offer Edit and Delete
on a comment that arrives live, and no vote on one's own. So each comment
carries its author's mark instead of an account number: a keyed hash of the
consultation and the account. It is the same for every reader (a comment's
HTML is drawn once for all listeners), different in every consultation (the
marks of two consultations cannot be matched up), and gone once the account
is deleted (its comments carry no mark, and their live history is drawn
again: consult.privacy.services.history.author_history_rewrite). The page and its
socket tell a signed-in reader their own mark for that consultation.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

LENGTH = 20
_SALT = "discussion.marks.author"  # kept as first written: marks in stored events use it


def author_mark(*, proposal_id: int, user) -> str:
    """The mark of `user`'s comments in one consultation; empty for nobody
    (signed out) and for a deleted account."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or getattr(user, "deleted_at", None) is not None
    ):
        return ""
    return salted_hmac(_SALT, f"{proposal_id}:{user.pk}", algorithm="sha256").hexdigest()[:LENGTH]
