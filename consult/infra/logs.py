"""Logs carry no email or IP addresses, at any level.

Our own code logs account numbers, never addresses; this filter is the net
under everything else (Django, allauth, the task worker, the mail backend):
it masks anything shaped like an email address or an IPv4/IPv6 address in a
record's message and arguments before any handler writes it.
"""

from __future__ import annotations

import ipaddress
import logging
import re

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
# Candidates only: each is checked with ipaddress so that times such as
# 12:30:45 are left alone.
IPV6 = re.compile(
    r"\[[0-9A-Fa-f:.]+(?:%\w+)?\]"
    r"|(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})"
    r"(?:%\w+)?(?![\w:])"
)


def _ipv6(match: re.Match) -> str:
    text = match.group(0).strip("[]").split("%")[0]
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return match.group(0)
    return "[ip]"


def _ipv4(match: re.Match) -> str:
    try:
        ipaddress.IPv4Address(match.group(0))
    except ValueError:
        return match.group(0)
    return "[ip]"


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = IPV6.sub(_ipv6, text)
    return IPV4.sub(_ipv4, text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's own business to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
