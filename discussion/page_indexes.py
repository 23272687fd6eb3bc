"""The indexes a page of a section's threads walks, one per order
(discussion.comments.paging): a page costs the same at the first thread and
at the millionth. Oldest and newest share the first, read either way."""

from django.db import models
from django.db.models.functions import Least

PAGE_INDEXES = [
    models.Index(
        fields=["proposal", "section", "depth", "created_at", "id"], name="comment_page_time"
    ),
    models.Index(
        fields=["proposal", "section", "depth", "agree_count", "created_at", "id"],
        name="comment_page_agreed",
    ),
    models.Index(
        fields=["proposal", "section", "depth", "reply_count", "created_at", "id"],
        name="comment_page_discussed",
    ),
    # Most controversial: the smaller of the two counts, as paging spells it.
    models.Index(
        models.F("proposal"),
        models.F("section"),
        models.F("depth"),
        Least("agree_count", "disagree_count"),
        models.F("created_at"),
        models.F("id"),
        name="comment_page_controversial",
    ),
]
