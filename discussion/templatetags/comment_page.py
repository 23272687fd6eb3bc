"""A comment drawn on its own, from its kept fragment and the reader's overlay
(discussion.comments.assembly): for a held comment sent only to its author."""

from django import template
from django.utils.safestring import SafeString

from discussion.comments import assembly, overlay, services

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_html(context, comment) -> SafeString:
    if context.get("live"):
        reader = overlay.live_reader(edit_window=services.edit_window())
    else:
        reader = overlay.reader_for(
            context["request"],
            comment.proposal,
            votes=context.get("my_votes") or {},
            edit_window=services.edit_window(),
        )
    return assembly.comment_html(comment, reader)
