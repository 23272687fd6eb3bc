"""Stable pseudonyms for the people behind open data.

A pseudonym is a keyed hash of (kind, consultation, account): the same person
keeps one pseudonym within a consultation, gets another in the next, and
nobody without the key can go back to the account.

Comments are signed with a display name on the site, so an author pseudonym
is as good as a name. Voters therefore get pseudonyms of another kind, not
derived from authors': published votes never say outright how a named
person voted. Stances leave only as counts. A published form response gets a
pseudonym of its own, from the response, not the account: an anonymous
response says nothing of its respondent's comments or votes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum

from django.conf import settings

LENGTH = 12


class Kind(StrEnum):
    AUTHOR = "a"
    VOTER = "v"
    # A published form response: one per response, never an account's.
    RESPONSE = "r"


def _key() -> bytes:
    configured = getattr(settings, "CONSULT_PSEUDONYM_KEY", "")
    secret = configured or f"consult.opendata.pseudonyms:{settings.SECRET_KEY}"
    return hashlib.sha256(secret.encode()).digest()


class Pseudonyms:
    """One consultation's pseudonyms of one kind, memoised for bulk use."""

    def __init__(self, proposal_id: int, kind: Kind):
        self.prefix = f"{kind}:{proposal_id}:".encode()
        self.label = f"{kind}-"
        self.key = _key()
        self.known: dict[int, str] = {}

    def __call__(self, user_id: int) -> str:
        name = self.known.get(user_id)
        if name is None:
            digest = hmac.new(self.key, self.prefix + str(user_id).encode(), "sha256").digest()
            name = self.label + base64.b32encode(digest).decode()[:LENGTH].lower()
            self.known[user_id] = name
        return name


def author(proposal_id: int, user_id: int) -> str:
    return Pseudonyms(proposal_id, Kind.AUTHOR)(user_id)


def voter(proposal_id: int, user_id: int) -> str:
    return Pseudonyms(proposal_id, Kind.VOTER)(user_id)


def response(proposal_id: int, response_id: int) -> str:
    return Pseudonyms(proposal_id, Kind.RESPONSE)(response_id)
