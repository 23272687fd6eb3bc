"""A readable per-section diff between two versions of a proposal.

Readers compare what they read, not the Markdown behind it: each version's
text is rendered (consult.infra.text) and the two renderings are compared word by
word (character by character in Chinese). The result is the newer text with
its own structure (paragraphs, lists, emphasis), what was inserted in <ins>
and what was deleted in <del>, each with a label that screen readers say and
eyes do not see.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from consult.infra.text import render_markdown
from consult.infra.translations import reader_language, source_language, translated

# Words and spaces for alphabetic text, single characters for CJK text.
_TOKENS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w+|\s+|[^\w\s]", re.UNICODE)
# The sanitizer's allowed elements that have no end tag.
_VOID = frozenset({"br", "hr"})

# Opens each mark's label. The sanitizer allows no <span>, so the text of a
# section can never contain it: finding it means something was marked.
_LABEL = '<span class="visually-hidden">'

# Word-level matching is quadratic; past this many token pairs a changed block
# is shown as removed-then-added instead (measured: about 50 ms at this size).
MAX_WORD_DIFF_WORK = 2_000_000


@dataclass(frozen=True)
class SectionChange:
    kind: str  # "added", "removed", "changed", "unchanged"
    section_id: int
    heading: SafeString
    body: SafeString
    # The language compared, and whether it stands in for the reader's.
    language: str = ""
    fallback: bool = False


# A token is (kind, text, tag name): kind "start" or "end" for a tag (text is
# the tag as the sanitizer wrote it), "text" for a word, a space or a sign
# (text is the plain, unescaped characters).
Token = tuple[str, str, str]


class _Tokenizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", self.get_starttag_text() or f"<{tag}>", tag))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.tokens.append(("end", f"</{tag}>", tag))

    def handle_data(self, data):
        self.tokens.extend(("text", word, "") for word in _TOKENS.findall(data))


def tokens(html: str) -> list[Token]:
    """The tags and words of sanitized HTML, in order."""
    parser = _Tokenizer()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _balanced(run: list[Token]) -> bool:
    open_tags: list[str] = []
    for kind, _text, name in run:
        if kind == "start" and name not in _VOID:
            open_tags.append(name)
        elif kind == "end" and (not open_tags or open_tags.pop() != name):
            return False
    return not open_tags


def _mark(tag: str, label: str, text: str) -> str:
    """Words in <del>/<ins>, the spaces around them left outside."""
    words = text.strip()
    if not words:
        return escape(text)
    start = len(text) - len(text.lstrip())
    before, after = text[:start], text[start + len(words) :]
    return (
        f"{escape(before)}<{tag}>{_LABEL}{escape(label)} </span>{escape(words)}</{tag}>"
        f"{escape(after)}"
    )


def _marked(tag: str, run: list[Token], *, keep_tags: bool) -> str:
    """A run of tokens with its words marked. Tags are kept when the run is
    the newer text's (or a whole, balanced piece of the older one), so the
    result always nests; otherwise a dropped tag leaves a space between words."""
    label = gettext("added:") if tag == "ins" else gettext("removed:")
    out: list[str] = []
    text: list[str] = []
    for kind, value, _name in run:
        if kind == "text":
            text.append(value)
            continue
        if keep_tags:
            out.append(_mark(tag, label, "".join(text)))
            out.append(value)
            text = []
        elif text and not text[-1].isspace():
            text.append(" ")
    out.append(_mark(tag, label, "".join(text)))
    return "".join(out)


def _added(run: list[Token]) -> str:
    return _marked("ins", run, keep_tags=True)


def _removed(run: list[Token]) -> str:
    return _marked("del", run, keep_tags=_balanced(run))


def _same(run: list[Token]) -> str:
    return "".join(value if kind != "text" else escape(value) for kind, value, _name in run)


def _words(a: list[Token], b: list[Token]) -> str:
    if len(a) * len(b) > MAX_WORD_DIFF_WORK:
        return _removed(a) + _added(b)
    out: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_same(b[b1:b2]))
        else:
            out.append(_removed(a[a1:a2]) + _added(b[b1:b2]))
    return "".join(out)


def _lines(run: list[Token]) -> list[tuple[Token, ...]]:
    """Tokens cut after each line break: the renderer writes one block a line."""
    lines: list[tuple[Token, ...]] = []
    line: list[Token] = []
    for token in run:
        line.append(token)
        if token[0] == "text" and "\n" in token[1]:
            lines.append(tuple(line))
            line = []
    if line:
        lines.append(tuple(line))
    return lines


def highlight(old_html: str, new_html: str) -> SafeString:
    """The newer (sanitized) HTML, with what was inserted in <ins> and what was
    deleted in <del>. Lines are matched first and words only inside the lines
    that changed, so a long section with a few edits costs little."""
    a, b = _lines(tokens(old_html)), _lines(tokens(new_html))
    out: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old = [token for line in a[a1:a2] for token in line]
        new = [token for line in b[b1:b2] for token in line]
        out.append(_same(new) if op == "equal" else _words(old, new))
    # Every tag comes from the sanitizer's output and every word is escaped.
    return mark_safe("".join(out))  # noqa: S308


def _whole(mark, heading: str, body_html: str) -> tuple[SafeString, SafeString]:
    return (
        mark_safe(mark(tokens(escape(heading)))),  # noqa: S308 - escaped, as in highlight
        mark_safe(mark(tokens(body_html))),  # noqa: S308
    )


def _language_for(reader: str, *snapshots) -> str:
    """The reader's language when every version compared has the section in
    it, else the language it was written in: a translation is compared with
    a translation, never with the original. A section "has it" when its
    heading and (where it has text) its text are written in it."""
    if all(
        translated(s, "heading", reader) and (translated(s, "body", reader) or not s.body)
        for s in snapshots
    ):
        return reader
    return source_language(snapshots[0])


def _texts(snapshot, language: str) -> tuple[str, str]:
    return translated(snapshot, "heading", language), translated(snapshot, "body", language)


def compare(
    old_sections: list, new_sections: list, language: str | None = None
) -> list[SectionChange]:
    """Sections matched by identity; in the newer order, removed ones where they
    stood. Each in the reader's `language` (default: the active one) where
    both versions have it, else in the language it was written in, marked."""
    reader = reader_language(language)
    old_by_id = {s.section_id: s for s in old_sections}
    new_ids = {s.section_id for s in new_sections}
    changes: list[SectionChange] = []
    for old in old_sections:
        if old.section_id not in new_ids:
            code = _language_for(reader, old)
            heading, body = _texts(old, code)
            heading, body = _whole(_removed, heading, render_markdown(body))
            changes.append(
                SectionChange("removed", old.section_id, heading, body, code, code != reader)
            )
    for new in new_sections:
        changes.append(_change(old_by_id.get(new.section_id), new, reader))
    order = {s.section_id: i for i, s in enumerate(new_sections)}
    order.update(
        {s.section_id: i - 0.5 for i, s in enumerate(old_sections) if s.section_id not in new_ids}
    )
    return sorted(changes, key=lambda change: order[change.section_id])


def _change(old, new, reader: str) -> SectionChange:
    if old is None:
        code = _language_for(reader, new)
        heading, body = _texts(new, code)
        heading, body = _whole(_added, heading, render_markdown(body))
        return SectionChange("added", new.section_id, heading, body, code, code != reader)
    code = _language_for(reader, old, new)
    (old_heading, old_body), (new_heading, new_body) = _texts(old, code), _texts(new, code)
    heading = highlight(escape(old_heading), escape(new_heading))
    body = highlight(render_markdown(old_body), render_markdown(new_body))
    # Changed is what a reader can see changed: Markdown written another
    # way (_a_ for *a*) or spacing that renders the same is no change.
    same = _LABEL not in heading and _LABEL not in body
    kind = "unchanged" if same else "changed"
    return SectionChange(kind, new.section_id, heading, body, code, code != reader)
