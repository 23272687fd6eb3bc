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

import nh3
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
