from django import template
from django.utils import timezone

from discussion.comments import keys, limits, marks, services
from discussion.models import ReportReason

register = template.Library()


@register.simple_tag
def fill_token() -> str:
    """When this form was drawn, signed (see discussion.comments.limits.check_human)."""
    return limits.fill_token()


@register.simple_tag
def post_key() -> str:
    """A new key for the post this form will send (discussion.comments.keys)."""
    return keys.post_key_new()


@register.simple_tag
def report_reasons() -> list[tuple[str, str]]:
    return ReportReason.choices


@register.filter
def author_mark(comment) -> str:
    """The mark of the comment's author in its consultation (discussion.comments.marks)."""
    return marks.author_mark(proposal_id=comment.proposal_id, user=comment.author)


@register.simple_tag(takes_context=True)
def my_mark(context, proposal) -> str:
    """The reader's own mark in this consultation; empty when signed out."""
    return marks.author_mark(proposal_id=proposal.pk, user=context.get("user"))


@register.filter
def editable_until(comment) -> str:
    """When its author can no longer edit the comment (ISO 8601, whole seconds)."""
    return (comment.created_at + services.edit_window()).replace(microsecond=0).isoformat()


@register.filter
def still_editable(comment) -> bool:
    """Whether an Edit link would still work: not awaiting review, within the window."""
    return not comment.is_held and timezone.now() - comment.created_at <= services.edit_window()
