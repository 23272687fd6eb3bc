"""Each comment's HTML as every reader sees it, rendered once per language and
kept in the cache; what differs per reader is filled into its slots
(discussion.comments.overlay).

The cache key is a digest of everything the fragment shows, read by the same
query that reads the comment: its words, its state (deleted, hidden, held,
highlighted, pinned, similar to another), its themes, its official answers,
its author's name, the language, the time zone and the template itself. A
change of any of these is a new key, so no writer has to remember to
invalidate anything and a stale fragment can never be served: the old entry
is simply never asked for again and ages out of the cache. Tallies are not in
the fragment (they change with every vote): they are a slot, filled from the
counts on the comment's row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import translation

from consult.infra.translations import text_in
from discussion.comments import selectors
from discussion.models import Comment

TEMPLATE = "discussion/_comment_shared.html"
# A fragment is kept for a week since it was last rendered: long enough that
# a busy page is always served from the cache, short enough that fragments of
# pages nobody reads leave even a cache without an eviction policy.
TIMEOUT = 7 * 24 * 3600
SLOT = re.compile(r"<!--slot:(\w+)-->")

_template_digest: str | None = None


def _templates() -> str:
    """The fragment's templates, so that a deploy that changes them changes every key."""
    global _template_digest
    if _template_digest is None:
        sources = [
            get_template(name).template.source for name in (TEMPLATE, "discussion/_response.html")
        ]
        _template_digest = hashlib.blake2b("\0".join(sources).encode(), digest_size=8).hexdigest()
    return _template_digest


def _response_inputs(comment: Comment) -> list:
    return [
        (
            r.pk,
            r.kind,
            r.status,
            r.explanation_html,
            r.created_at,
            r.changed_version_id,
            r.changed_section_id,
            r.changed_section_heading if r.changed_section_id else "",
            r.department_id,
            str(text_in(r.department, "name")) if r.department_id else "",
        )
        for r in comment.responses
    ]


def inputs(comment: Comment, language: str) -> tuple:
    """Everything the fragment shows, in one tuple; the key is its digest."""
    author = comment.author
    return (
        _templates(),
        language,
        settings.TIME_ZONE,
        comment.pk,
        comment.proposal_id,
        comment.author_id,
        author.display_name,
        author.deleted_at is not None,
        comment.created_at,
        comment.edited_at,
        comment.is_deleted,
        comment.hidden_at,
        comment.hidden_reason,
        comment.hidden_pending_review,
        comment.held_at,
        comment.highlighted_at,
        comment.duplicate_of_id,
        selectors.pinned_comment(comment),
        tuple(selectors.theme_names(comment)),
        comment.body_html,
        tuple(_response_inputs(comment)),
    )


def key(comment: Comment, language: str) -> str:
    digest = hashlib.blake2b(repr(inputs(comment, language)).encode(), digest_size=16)
    return f"comment-fragment:{comment.pk}:{digest.hexdigest()}"


def split(html: str) -> list[str]:
    """The fragment as [text, slot name, text, slot name, ..., text]."""
    return SLOT.split(html)


def render(comment: Comment, language: str) -> list[str]:
    with translation.override(language):
        return split(render_to_string(TEMPLATE, {"comment": comment}))


def parts(comments: Iterable[Comment], language: str | None = None) -> dict[int, list[str]]:
    """Each comment's fragment in `language` (the active one by default): from
    the cache in one round trip, the missing ones rendered and kept."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    keys = {key(c, language): c for c in comments}
    found = cache.get_many(list(keys))
    missing = {}
    for k, comment in keys.items():
        if k not in found:
            missing[k] = found[k] = render(comment, language)
    if missing:
        cache.set_many(missing, TIMEOUT)
    return {keys[k].pk: value for k, value in found.items()}


def every_language(comment: Comment) -> dict[str, list[str]]:
    """The comment's fragment in each language of the site (for a live event),
    rendered and kept, so that the pages drawn next are served from the cache."""
    rendered = {}
    for code, _name in settings.LANGUAGES:
        rendered[code] = render(comment, code)
    cache.set_many({key(comment, code): value for code, value in rendered.items()}, TIMEOUT)
    return rendered
