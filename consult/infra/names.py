"""The one rule for names and short labels people write: display names,
theme and topic names, token names.

Every script is welcome. What is refused is what cannot be seen or changes
how the text around it is shown, and so could disguise a name: control
characters (NUL included), lone surrogates, private-use and unassigned code
points, and format characters (bidirectional overrides and isolates, the
zero-width space, the byte-order mark, soft hyphens, word joiners...).

The two joiners are the exception when they sit inside a word: the
zero-width non-joiner is ordinary Persian spelling ("حسین‌زاده"), and both
shape Indic conjuncts ("ශ්‍රී", "क्‍ष") and emoji sequences. At the start of
a word, after a space, or doubled, they hide nothing but themselves and are
refused like any other format character.

Lives at the bottom of the house: accounts, proposals, discussion and the
API all validate with it.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

LABEL_CHARACTERS = _("Use letters, numbers, spaces and ordinary punctuation only.")

ZWNJ = "\u200c"
ZWJ = "\u200d"
JOINERS = frozenset({ZWNJ, ZWJ})
# Control, format, surrogate, private use, unassigned.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Letters, marks and symbols (emoji) make up the words a joiner may sit in.
WORD_CLASSES = ("L", "M", "S")
VISIBLE_CLASSES = ("L", "N", "P", "S")


def tidy(value: str | None) -> str:
    """Spaces tidied: any run of whitespace (tabs, new lines, wide spaces)
    becomes one space, and none is kept at either end."""
    return " ".join((value or "").split())


def _in_word(char: str) -> bool:
    return unicodedata.category(char).startswith(WORD_CLASSES)


def _joins(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if not before or not _in_word(before):
        return False
    if after and _in_word(after):
        return True
    # A ZWJ after a virama may end a word: Malayalam's chillu letters ("ന്‍").
    return text[index] == ZWJ and unicodedata.category(before) == "Mn"


def has_hidden_characters(text: str) -> bool:
    """True when the text holds a character the rule above refuses."""
    for index, char in enumerate(text):
        if unicodedata.category(char) not in HIDDEN_CATEGORIES:
            continue
        if char in JOINERS and _joins(text, index):
            continue
        return True
    return False


def has_visible_character(text: str) -> bool:
    """True when something in the text can be read (not only marks or spaces)."""
    return any(unicodedata.category(char).startswith(VISIBLE_CLASSES) for char in text)


def is_clean(text: str) -> bool:
    """The whole rule for a label: something to read, nothing hidden."""
    return has_visible_character(text) and not has_hidden_characters(text)


def box_length(text: str) -> int:
    """The length as a browser counts it against a box's maxlength (UTF-16
    code units: most characters count one, an emoji or a rare ideograph two),
    so that what fits the box also fits the rule."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def box_cut(text: str, limit: int) -> str:
    """The longest start of the text that fits a box of `limit`, without
    splitting a character."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def comparable(text: str) -> str:
    """The form two names are compared in: compatibility forms folded (a
    full-width "Ａ" is an "A", "①" is "1"), any case, joiners and spaces
    ignored."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(char for char in folded if char not in JOINERS and not char.isspace())
