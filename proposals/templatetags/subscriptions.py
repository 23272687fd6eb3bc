"""Buttons to follow the topic, department and place of a list or a
consultation (templates/proposals/_subscribe.html)."""

from django import template

from proposals import subscription_selectors as selectors

register = template.Library()


def _context(context, items: list, heading: str) -> dict:
    request = context["request"]
    return {
        "items": items,
        "heading": heading,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("proposals/_subscribe.html", takes_context=True)
def subscribe_browse(context, browse):
    """For the list filtered by a topic, a department or a place."""
    items = selectors.followables_for_browse(
        user=context["request"].user,
        topic=browse.topic,
        department=browse.department,
        jurisdiction=browse.jurisdiction,
    )
    return _context(context, items, "browse")


@register.inclusion_tag("proposals/_subscribe.html", takes_context=True)
def subscribe_proposal(context, proposal):
    """For a consultation: its topics, its department and its place."""
    items = selectors.followables_for_proposal(user=context["request"].user, proposal=proposal)
    return _context(context, items, "proposal")
