"""Content written in more than one language: the one rule for reading it.

Officials may write a consultation (title, summary, sections, questions,
attachments' titles) in English and in Chinese, and departments, places and
topics have names in both. Each such row keeps its text in its own columns,
in its *source language*, and the other languages' texts in a JSON column
`translations`: ``{"zh-hans": {"title": "…", "summary": "…"}}``.

The source language is the row's `language` attribute when it has one (a
consultation's, which its sections, questions and attachments share), and the
site's default language otherwise (names of departments, places and topics).

`text_in` gives the reader's language when it is written, and otherwise the
source text marked as a fallback, so that a page can say "not yet translated"
and put the right `lang` on it for screen readers. Nothing here queries the
database: what it reads is on the row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def source_language(obj) -> str:
    """The language of the row's own columns."""
    language = getattr(obj, "language", None)
    return language if language in languages() else settings.LANGUAGE_CODE


def reader_language(language: str | None = None) -> str:
    """The language asked for, else the active one, as one of the site's codes."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    language = language.lower()
    if language in languages():
        return language
    for code in languages():
        if language.split("-")[0] == code.split("-")[0]:
            return code
    return settings.LANGUAGE_CODE


class Localized(str):
    """A text, with the language it is written in and whether it stands in
    for the reader's language (`fallback`)."""

    language: str
    fallback: bool

    def __new__(cls, text: str, *, language: str, fallback: bool) -> Localized:
        value = super().__new__(cls, text or "")
        value.language = language
        value.fallback = fallback
        return value


def _stored(obj) -> dict:
    stored = getattr(obj, "translations", None)
    return stored if isinstance(stored, dict) else {}


def translated(obj, field: str, language: str) -> str:
    """The text written in exactly this language, "" when it is not."""
    if language == source_language(obj):
        return getattr(obj, field, "") or ""
    texts = _stored(obj).get(language)
    value = texts.get(field) if isinstance(texts, dict) else None
    return value if isinstance(value, str) else ""


def text_in(obj, field: str, language: str | None = None) -> Localized:
    """The text for a reader of `language` (default: the active language):
    theirs when written, else the source text marked as a fallback. A blank
    optional field stays blank in both."""
    wanted = reader_language(language)
    text = translated(obj, field, wanted)
    if text:
        return Localized(text, language=wanted, fallback=False)
    source = source_language(obj)
    original = getattr(obj, field, "") or ""
    return Localized(original, language=source, fallback=bool(original) and source != wanted)


def set_translation(obj, language: str, **fields: str) -> None:
    """Write texts in `language` on the row (not saved): into its columns for
    its source language, into `translations` for another. A blank text
    removes that translation."""
    if language not in languages():
        raise ValueError(f"unknown language {language!r}")
    if language == source_language(obj):
        for field, text in fields.items():
            setattr(obj, field, text)
        return
    stored = {code: dict(texts) for code, texts in _stored(obj).items() if isinstance(texts, dict)}
    texts = stored.setdefault(language, {})
    for field, text in fields.items():
        if text:
            texts[field] = text
        else:
            texts.pop(field, None)
    obj.translations = {code: texts for code, texts in stored.items() if texts}


def all_texts(obj, fields: Iterable[str]) -> list[str]:
    """Every written text of these fields, in every language (for search)."""
    found = []
    for language in languages():
        for field in fields:
            text = translated(obj, field, language)
            if text:
                found.append(text)
    return found


def missing_languages(obj, fields: Iterable[str]) -> list[str]:
    """Languages in which one of these (written) fields has no text yet."""
    fields = [field for field in fields if getattr(obj, field, "")]
    return [
        language
        for language in languages()
        if any(not translated(obj, field, language) for field in fields)
    ]
