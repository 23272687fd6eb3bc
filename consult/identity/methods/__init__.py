"""Ways of verifying where a person lives, chosen in settings.

CONSULT_VERIFICATION_METHODS lists dotted paths to VerificationMethod
subclasses; each has a key (stored on every Verification), a label and a
description for the person, the form they fill in, and how to turn what they
gave into the identifier whose keyed hash binds the identity to one account.
The services do the rest: one pending request per person and place, the
claim under its unique constraint, decisions audited, data dropped after.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Jurisdiction, User

DEFAULT_METHODS = [
    "consult.identity.methods.document.DocumentCheck",
    "consult.identity.methods.postal.PostalCode",
]


class JurisdictionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Jurisdiction) -> str:
        return "– " * obj.depth + obj.name


class VerificationForm(forms.Form):
    """What every method asks first: the place."""

    jurisdiction = JurisdictionField(
        label=_("Where you live"),
        queryset=Jurisdiction.objects.order_by("path"),
        help_text=_(
            "Choose the smallest place that fits: a district resident is also a resident "
            "of its city."
        ),
    )


class VerificationMethod:
    key: str = ""
    label: str | Promise = ""
    description: str | Promise = ""
    # The steps, as the person reads them before starting.
    steps: tuple[str | Promise, ...] = ()
    form_class: type[VerificationForm] = VerificationForm
    # Decided by a reviewer who approves or rejects (True), or completed by
    # the person (False: a code they receive, say).
    staff_reviewed: bool = False

    def identifier(self, data: dict) -> str:
        """The normalised identifier (see consult.identity.identifiers), from
        the form's cleaned data or the pending request's method data. Raises
        ValidationError when what was given cannot identify anyone."""
        raise NotImplementedError

    def begin(self, *, user: User, data: dict) -> dict:
        """Check the form's cleaned data and return the method data to keep
        while the request is pending. Private files it stores are listed
        under "files", so that deciding or erasing deletes them."""
        raise NotImplementedError

    def pending_note(self, method_data: dict) -> str | Promise:
        """Where a pending request stands, for the person."""
        return _("Waiting for a decision.")

    def __str__(self) -> str:
        return str(self.label)


def files_of(method_data: dict) -> list[str]:
    files = (method_data or {}).get("files") or []
    return [name for name in files if isinstance(name, str) and name]


@cache
def _load(paths: tuple[str, ...]) -> dict[str, VerificationMethod]:
    methods: dict[str, VerificationMethod] = {}
    for path in paths:
        method = import_string(path)()
        if not method.key or method.key in methods or len(method.key) > 40:
            raise ImproperlyConfigured(
                f"CONSULT_VERIFICATION_METHODS: bad or repeated key in {path}"
            )
        methods[method.key] = method
    return methods


def methods() -> dict[str, VerificationMethod]:
    """The methods offered, by key, in the order the setting gives."""
    return _load(tuple(getattr(settings, "CONSULT_VERIFICATION_METHODS", DEFAULT_METHODS)))


def method_get(key: str) -> VerificationMethod | None:
    return methods().get(key)
