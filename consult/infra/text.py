"""The one way user-written text becomes HTML: Markdown, then the sanitizer.

Everything that shows Markdown written by an official or a citizen (section
text, comments) goes through render_markdown; anything else that must be
made safe goes through sanitize_html. nh3 does the sanitizing at run time;
the tests hold it against bleach over a corpus of hostile input.

Lives at the bottom of the house (no imports from proposals or discussion)
because both of them need it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6",
        "hr", "i", "ins", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Links written by the public must not pass reputation, nor learn who clicked.
LINK_REL = "nofollow ugc noopener noreferrer"

_markdown = (
    MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)
_HEADING = re.compile(r"<(/?)h([1-6])>")


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown (raw HTML off) to safe HTML, headings moved below the page's own."""
    html = _markdown.render(source)
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}>", html)
    return sanitize_html(html)


# --- text people type ----------------------------------------------------------


@dataclass(frozen=True)
class TextRule:
    """How one field of typed text is cleaned, and what a person is told.

    Every field of free text a person writes (a comment, a reason, a note, an
    answer, a title) is cleaned by `clean_text` under its rule: line endings
    made one, white space at the ends (or, for `one_line`, everywhere)
    tidied, NUL bytes (never text, and refused by PostgreSQL) removed or,
    with a `refuse_nul` message, refused; then required and limited in length.
    Messages are formatted with `limit` and `length`.
    """

    field: str
    limit: int
    too_long: str | Promise
    required: str | Promise | None = None
    one_line: bool = False
    refuse_nul: str | Promise | None = None

    def clean(self, value: str | None) -> str:
        return clean_text(value, self)


def clean_text(value: str | None, rule: TextRule) -> str:
    """`value` cleaned under `rule`, or a ValidationError keyed by its field."""
    text = value or ""
    if "\x00" in text:
        if rule.refuse_nul is not None:
            raise ValidationError({rule.field: ValidationError(rule.refuse_nul, code="null")})
        text = text.replace("\x00", "")
    text = " ".join(text.split()) if rule.one_line else text.replace("\r\n", "\n").strip()
    if not text and rule.required is not None:
        raise ValidationError({rule.field: ValidationError(rule.required, code="required")})
    if len(text) > rule.limit:
        params = {"limit": rule.limit, "length": len(text)}
        raise ValidationError(
            {rule.field: ValidationError(rule.too_long, code="too_long", params=params)}
        )
    return text
