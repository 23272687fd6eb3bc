"""A page of threads as HTML, assembled from the comments' kept fragments and
the reader's overlay: one cache round trip and string joins, no template
rendered per comment (discussion.comments.fragments, .overlay)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from discussion.comments import fragments, overlay
from discussion.comments.selectors import Node
from discussion.models import Comment


def walk(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def threads_html(nodes: list[Node], reader: overlay.Reader) -> SafeString:
    """The list items of the page's threads, each with its replies."""
    found = fragments.parts([node.comment for node in walk(nodes)])
    more = escape(_("Continue this thread"))
    url = reader.labels["url_comment"]
    out: list[str] = []

    def emit(node: Node) -> None:
        pk = node.comment.pk
        out.append('<li class="thread-item">')
        out.append(overlay.apply(found[pk], node.comment, reader))
        out.append(f'<ol class="replies" data-replies-of="{pk}"')
        out.append(" data-full>" if node.at_limit else ">")
        for child in node.children:
            emit(child)
        out.append("</ol>")
        if node.at_limit:
            hidden = "" if node.continues else " hidden"
            out.append(
                f'<p class="continue"{hidden} data-continue-of="{pk}">'
                f'<a href="{url % pk}">{more}</a></p>'
            )
        out.append("</li>")

    for node in nodes:
        emit(node)
    return mark_safe("".join(out))  # noqa: S308 - fragments and overlay escape what they hold


def comment_html(comment: Comment, reader: overlay.Reader) -> SafeString:
    """One comment as `reader` sees it (a comment shown on its own)."""
    parts = fragments.parts([comment], get_language() or settings.LANGUAGE_CODE)[comment.pk]
    return mark_safe(overlay.apply(parts, comment, reader))  # noqa: S308 - as above


def live_fragment(comment: Comment, *, edit_window: timedelta) -> dict[str, str]:
    """The comment's HTML in each language of the site for a live event: the
    same kept fragment the page serves, its per-reader parts drawn hidden and
    revealed in each browser for its reader."""
    reader = overlay.live_reader(edit_window=edit_window)
    rendered = {}
    for code, parts in fragments.every_language(comment).items():
        with translation.override(code):
            reader.labels = overlay.labels()
            rendered[code] = overlay.apply(parts, comment, reader)
    return rendered
