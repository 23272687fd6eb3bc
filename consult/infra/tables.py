"""Tables on their way out of the platform: cells a spreadsheet will not run.

Every CSV the platform writes (the report, the open-data downloads, a
person's own data) passes its cells through `spreadsheet_cell`, so text that a
spreadsheet would take for a formula arrives as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str | int | float:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets
    a leading apostrophe. Only text is guarded: a negative number we wrote
    ourselves is data, while "-1+1" typed by a person is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = " ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
