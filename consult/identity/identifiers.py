"""Normalising what identifies a person, and hashing it with a key.

The same identity written two ways (full-width digits, upper or lower case,
spaces, dashes, dots) must give the same digest, or one person could verify
two accounts by typing their document number differently. The digest is
keyed, so a stolen database does not let anyone test a guessed identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from django.conf import settings


def fold(value: str) -> str:
    """Unicode NFKC case folding: full-width and compatibility forms, any case."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value or "").casefold())


def compact(value: str) -> str:
    """Folded, keeping letters, digits and their marks: no spaces, dashes or punctuation."""
    return "".join(char for char in fold(value) if unicodedata.category(char)[0] in "LNM")


def identifier_of(kind: str, *parts: str) -> str:
    """The normalised identifier of one kind ("document:passport", "post")."""
    return ":".join([kind, *(compact(part) for part in parts)])


def _key() -> bytes:
    configured = getattr(settings, "CONSULT_IDENTITY_KEY", "")
    secret = configured or f"consult.identity:{settings.SECRET_KEY}"
    return hashlib.sha256(secret.encode()).digest()


def keyed_hash(message: str) -> str:
    """HMAC-SHA256 hex of the message under the identity key."""
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()


def identity_digest(identifier: str) -> str:
    return keyed_hash(f"identity:{identifier}")
