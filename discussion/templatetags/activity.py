"""What "Your activity" asks of a consultation while drawing a line."""

from django import template

from proposals.models import Status

register = template.Library()


@register.filter
def taking_part(proposal) -> bool:
    """Open now for votes and stances (and so for taking them back)."""
    return not proposal.archived and proposal.effective_status() == Status.OPEN
