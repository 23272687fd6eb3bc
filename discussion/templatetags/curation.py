"""What moderators' curation shows on a comment: its pin and its themes."""

from django import template

from discussion.comments import selectors
from discussion.models import Comment

register = template.Library()


@register.filter
def is_pinned(comment: Comment) -> bool:
    return selectors.pinned_comment(comment)


@register.simple_tag
def comment_themes(comment: Comment) -> list[str]:
    return selectors.theme_names(comment)
