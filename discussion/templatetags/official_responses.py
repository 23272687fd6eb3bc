"""Official answers to sections as a whole, for the proposal's page (which
belongs to `proposals`, and so cannot ask `discussion` from its view)."""

from django import template

from discussion import responses
from discussion.models import OfficialResponse
from proposals.models import Proposal

register = template.Library()


@register.simple_tag
def section_responses(proposal: Proposal) -> dict[int, list[OfficialResponse]]:
    return responses.section_responses(proposal=proposal)
