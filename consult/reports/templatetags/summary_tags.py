"""Small helpers for the summary's templates."""

from django import template

register = template.Library()


@register.filter
def comment_of(comment_id, result: dict) -> dict | None:
    """The excerpt and counts the summary keeps for one comment it points at."""
    return (result or {}).get("comments", {}).get(str(comment_id))
