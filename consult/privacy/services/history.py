"""Redrawing a person's comments in the live event log, after their account
was deleted or renamed (run by the task worker)."""

from __future__ import annotations

from discussion.comments.services import comment_fragment
from discussion.models import Comment, Event

# Comments whose live events are rewritten per query.
HISTORY_CHUNK = 500


def author_history_rewrite(*, user_id: int) -> int:
    """The live event log keeps each comment's HTML as it was sent, to replay
    it to a page that missed it; a deleted person's comments are drawn again
    there, so that a replay never brings back their name. Returns how many
    events were rewritten. Run in the background after the deletion: a
    prolific person's comments are many to draw."""
    rewritten = 0
    ids = list(
        Comment.objects.filter(author_id=user_id).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), HISTORY_CHUNK):
        chunk = ids[start : start + HISTORY_CHUNK]
        comments = {
            comment.pk: comment
            for comment in Comment.objects.filter(pk__in=chunk).select_related(
                "author", "proposal", "section"
            )
        }
        events = Event.objects.filter(
            proposal_id__in={comment.proposal_id for comment in comments.values()},
            type__startswith="comment.",
            payload__id__in=chunk,
        )
        drawn: dict[int, dict] = {}
        for event in events:
            comment = comments.get(event.payload.get("id"))
            if comment is None or "html" not in event.payload:
                continue
            if comment.pk not in drawn:
                drawn[comment.pk] = comment_fragment(comment)
            event.payload["html"] = drawn[comment.pk]
            event.save(update_fields=["payload"])
            rewritten += 1
    return rewritten
