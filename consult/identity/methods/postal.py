"""Code by post: staff post a letter with a one-time code to the address the
person gave; typing the code back proves they receive post there.

Only a keyed hash of the code is stored. The code is made when staff print
the letter and shown to them that once; printing again makes a new code and
the old one stops working. A code lasts CODE_LIFETIME_DAYS and allows
MAX_ATTEMPTS wrong tries.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.identity.identifiers import compact, identifier_of, keyed_hash
from consult.identity.methods import VerificationForm, VerificationMethod
from consult.identity.models import CODE_LIFETIME_DAYS

# No 0/O, 1/I/L: a code read off paper is typed back without guessing.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_ATTEMPTS = 5
CODE_LIFETIME = timedelta(days=CODE_LIFETIME_DAYS)
NAME_MAX_LENGTH = 120
ADDRESS_MAX_LENGTH = 500

NAME_REQUIRED = _("Give your full name as it should appear on the letter.")
ADDRESS_REQUIRED = _("Give your full postal address, with the postcode.")


class PostalForm(VerificationForm):
    full_name = forms.CharField(label=_("Full name"), max_length=NAME_MAX_LENGTH)
    address = forms.CharField(
        label=_("Postal address"),
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The address in the place you chose, with the postcode."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the letter"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return compact(raw).upper()


def code_hash(verification_id: int, code: str) -> str:
    # The request's id in the message: a hash copied onto another request is worthless.
    return keyed_hash(f"postal-code:{verification_id}:{normalise_code(code)}")


def code_matches(verification_id: int, code: str, stored: str) -> bool:
    return hmac.compare_digest(code_hash(verification_id, code), stored or "")


def printed_at(method_data: dict) -> datetime | None:
    value = (method_data or {}).get("printed_at")
    return parse_datetime(value) if isinstance(value, str) else None


def code_expired(method_data: dict, now: datetime) -> bool:
    printed = printed_at(method_data)
    return printed is not None and now >= printed + CODE_LIFETIME


class PostalCode(VerificationMethod):
    key = "post"
    label = _("Code by post")
    description = _(
        "Give your name and postal address. We post you a letter with a code; type it here to "
        "confirm that you live there."
    )
    steps = (
        _("Give your place, your full name and your postal address."),
        _("Staff post you a letter with a one-time code."),
        lazy(
            lambda: (
                _(
                    "Type the code here within %(days)d days of the letter. %(tries)d wrong tries "
                    "close the request."
                )
                % {"days": CODE_LIFETIME_DAYS, "tries": MAX_ATTEMPTS}
            ),
            str,
        )(),
    )
    form_class = PostalForm
    staff_reviewed = False

    def identifier(self, data: dict) -> str:
        name, address = data.get("full_name") or "", data.get("address") or ""
        if not compact(name):
            raise ValidationError({"full_name": ValidationError(NAME_REQUIRED)})
        if not compact(address):
            raise ValidationError({"address": ValidationError(ADDRESS_REQUIRED)})
        return identifier_of("post", name, address)

    def begin(self, *, user: User, data: dict) -> dict:
        self.identifier(data)
        return {
            "full_name": " ".join(data["full_name"].split()),
            "address": "\n".join(
                line.strip() for line in data["address"].splitlines() if line.strip()
            ),
            "code_hash": "",
            "printed_at": None,
            "sent_at": None,
            "attempts": 0,
        }

    def pending_note(self, method_data: dict) -> str:
        if method_data.get("sent_at") or method_data.get("printed_at"):
            return _("Your letter is on its way. Type the code from it here.")
        return _("Waiting for staff to post your letter.")
