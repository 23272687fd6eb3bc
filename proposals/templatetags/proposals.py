from django import template

from proposals.models import StanceValue

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def stance_choices():
    return StanceValue.choices


@register.filter
def indent(depth: int) -> str:
    """Dashes that show a department's place in the tree inside a <select>."""
    return "– " * int(depth or 0)
