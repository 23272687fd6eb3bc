from django import template

from discussion import limits
from discussion.models import ReportReason

register = template.Library()


@register.simple_tag
def fill_token() -> str:
    """When this form was drawn, signed (see discussion.limits.check_human)."""
    return limits.fill_token()


@register.simple_tag
def report_reasons() -> list[tuple[str, str]]:
    return ReportReason.choices
