"""Official answers to sections as a whole, for the proposal's page (which
belongs to `proposals`, and so cannot ask `discussion` from its view)."""

from django import template

from discussion import rules
from discussion.models import OfficialResponse
from discussion.responses import selectors as responses
from proposals.models import Proposal

register = template.Library()


@register.simple_tag
def section_responses(proposal: Proposal) -> dict[int, list[OfficialResponse]]:
    return responses.section_responses(proposal=proposal)


@register.simple_tag(takes_context=True)
def may_respond(context, proposal: Proposal) -> bool:
    """Whether the reader may answer this consultation officially (discussion.rules)."""
    return rules.can_respond(context["request"].user, proposal)
