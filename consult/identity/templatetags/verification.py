from django import template

from consult.accounts.models import Jurisdiction
from consult.identity.selectors import is_verified_resident

register = template.Library()


@register.simple_tag(takes_context=True)
def verified_resident(context, jurisdiction: Jurisdiction) -> bool:
    """Whether the visitor is a verified resident of the place, asked once per
    page however many stance forms it draws."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is None or jurisdiction is None:
        return False
    memo = getattr(request, "_verified_resident", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._verified_resident = memo
    if jurisdiction.pk not in memo:
        memo[jurisdiction.pk] = is_verified_resident(user, jurisdiction)
    return memo[jurisdiction.pk]
