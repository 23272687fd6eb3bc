"""A small iCalendar (RFC 5545) writer: just what a calendar of closing dates needs.

Content lines end in CRLF and are folded at 75 octets, never inside a UTF-8
character (a continuation line starts with one space, which counts towards
its 75). TEXT values escape backslash, semicolon, comma and newlines
(RFC 5545 section 3.3.11); other control characters are not allowed in a
content line and are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
LINE_OCTETS = 75
# Every control character but HTAB is refused in a content line (3.1); line
# breaks are escaped before this applies.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
NEWLINES = re.compile(r"\r\n|\r|\n")


def escape_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = NEWLINES.sub("\\\\n", value)
    return CONTROL.sub("", value)


def fold(line: str) -> str:
    """The line cut into pieces of at most 75 octets, joined by CRLF and a space."""
    data = line.encode("utf-8")
    pieces: list[bytes] = []
    start, limit = 0, LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            end -= 1
        pieces.append(data[start:end])
        start, limit = end, LINE_OCTETS - 1  # the leading space of a continuation
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form (…Z), which needs no VTIMEZONE."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def content_line(name: str, value: str, /, **params: str) -> str:
    """`value` is written as it is: escape a TEXT value with `escape_text` first."""
    head = name + "".join(f";{key.upper()}={param}" for key, param in params.items() if param)
    return fold(f"{head}:{CONTROL.sub('', value)}")


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    summary: str
    description: str
    url: str
    # When the consultation was last changed: with no METHOD on the calendar,
    # DTSTAMP is the last revision (RFC 5545 3.8.7.2), so that an unchanged
    # calendar is the same bytes on every fetch and a reader's cache holds.
    stamp: datetime
    # The language of each text (RFC 5545 3.2.10), blank when it is not one:
    # the words of the summary are the reader's, the title within them may
    # stand in from another language.
    summary_language: str = ""
    description_language: str = ""

    def lines(self) -> list[str]:
        # The close is an instant (a consultation closes at 17:00, not on a
        # day), so the event is a DATE-TIME with no DTEND: RFC 5545 3.6.1
        # reads that as an event ending when it starts. An all-day event would
        # hide the hour and fall on the wrong day for readers in other zones.
        return [
            "BEGIN:VEVENT",
            content_line("UID", escape_text(self.uid)),
            content_line("DTSTAMP", utc_stamp(self.stamp)),
            content_line("DTSTART", utc_stamp(self.start)),
            content_line("SUMMARY", escape_text(self.summary), language=self.summary_language),
            content_line(
                "DESCRIPTION", escape_text(self.description), language=self.description_language
            ),
            content_line("URL", self.url),
            "TRANSP:TRANSPARENT",  # a deadline, not time the reader is busy
            "END:VEVENT",
        ]


# RFC 5545 (3.4, 3.6) wants at least one component in a calendar, and one
# with nothing open has no event; strict readers (sabre/vobject, behind
# Nextcloud's subscriptions) refuse it. So the calendar always describes the
# one zone its times are written in, UTC ("…Z"): true, never a made-up event,
# and the same bytes on every fetch.
UTC_ZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:UTC",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0000",
    "TZNAME:UTC",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def calendar(*, prodid: str, name: str, events: Iterable[Event]) -> str:
    """The whole VCALENDAR, to be published as it is (a subscription)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        content_line("PRODID", escape_text(prodid)),
        "CALSCALE:GREGORIAN",
        content_line("NAME", escape_text(name)),  # RFC 7986
        content_line("X-WR-CALNAME", escape_text(name)),
        # How often to fetch again: RFC 7986, and the older name most apps read.
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        *UTC_ZONE,
    ]
    for event in events:
        lines.extend(event.lines())
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF
