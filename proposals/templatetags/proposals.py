from django import template
from django.utils.html import format_html

from consult.infra.content_tags import marked_html, untranslated_mark
from consult.infra.translations import text_in
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


# --- content in several languages where `{% content %}` does not fit ---------------


@register.simple_tag
def content_link(obj, field: str, url: str):
    """A link whose text is content (a card's title, a document): where the
    text stands in for the reader's language, the link carries its `lang`
    and the "not yet translated" mark follows it, since links do not nest."""
    text = text_in(obj, field)
    if not text.fallback:
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html(
        '<a href="{}" lang="{}">{}</a> {}', url, text.language, text, untranslated_mark()
    )


@register.simple_tag
def content_html(snapshot, field: str = "body_html"):
    """A published section's rendered text in the reader's language, else the
    original's, in a block marked with its `lang` and the mark. The HTML was
    rendered and sanitised at publish (services.versions), in each language."""
    return marked_html(text_in(snapshot, field))


@register.filter
def lang_attr(text) -> str:
    """` lang="en"` for a text (from `in_language`) that stands in for the
    reader's language, nothing otherwise: for an option, a link or a title."""
    if not getattr(text, "fallback", False):
        return ""
    return format_html(' lang="{}"', text.language)
