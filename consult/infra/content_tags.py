"""Template tags for content written in several languages (see
consult.infra.translations), loaded in every template.

    {{ proposal|in_language:"title" }}   the reader's text, plain (titles,
                                         attributes, emails)
    {% content proposal "title" %}       the same, and where it stands in for
                                         the reader's language: marked with
                                         its `lang` and "not yet translated",
                                         linked to the language switch
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from consult.infra.translations import Localized, text_in

register = template.Library()


@register.filter
def in_language(obj, field: str) -> Localized:
    if obj is None:
        return Localized("", language="", fallback=False)
    return text_in(obj, field)


@register.filter
def untranslated(text) -> bool:
    """Whether a text from `in_language` stands in for the reader's language."""
    return bool(getattr(text, "fallback", False))


def untranslated_mark():
    """The "not yet translated" mark, linked to the language switch."""
    return format_html(
        '<a class="untranslated" href="#language-select">{}</a>', _("(not yet translated)")
    )


def marked(text: Localized):
    """A fallback text with its language and the mark, as HTML."""
    if not getattr(text, "fallback", False):
        return text
    return format_html('<span lang="{}">{}</span> {}', text.language, text, untranslated_mark())


def marked_html(text):
    """HTML rendered and sanitised when it was published (a section's text, a
    report's), trusted as such: where it stands in for the reader's language,
    in a block with its `lang`, followed by the mark."""
    html = mark_safe(text)  # noqa: S308 - sanitised by render_markdown at publish
    if not getattr(text, "fallback", False):
        return html
    return format_html(
        '<div lang="{}">{}</div><p class="meta">{}</p>', text.language, html, untranslated_mark()
    )


@register.simple_tag
def content(obj, field: str):
    if obj is None:
        return ""
    return marked(text_in(obj, field))
