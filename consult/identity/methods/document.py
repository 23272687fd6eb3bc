"""Document check: the person uploads a scan of an identity document, a
reviewer compares it with the number they typed and approves or rejects.

Scans are personal data of the most sensitive kind: they are stored outside
the public media folder, read only through a permission-checked view, and
deleted as soon as the request is decided.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.identity.identifiers import compact, identifier_of
from consult.identity.methods import VerificationForm, VerificationMethod
from consult.infra import files

DEFAULT_SCAN_MAX_BYTES = 5 * 1024 * 1024
NUMBER_MIN_LENGTH = 4
NUMBER_MAX_LENGTH = 40

DOCUMENT_TYPES = [
    ("identity_card", _("Identity card")),
    ("passport", _("Passport")),
    ("residence_permit", _("Residence permit")),
    ("driving_licence", _("Driving licence")),
]

SCAN_REQUIRED = _("Upload a scan or photo of the document.")
SCAN_TOO_LARGE = _("The file is %(size)s; the limit is %(limit)s.")
SCAN_TYPE = _("The scan must be a PDF, JPEG or PNG file.")
NUMBER_INVALID = _("Give the document number as it is printed on the document.")
TYPE_INVALID = _("Choose the kind of document.")

# What the content is, never what the name says (consult.infra.files.sniff).
SCAN_KINDS = (files.PDF, files.JPEG, files.PNG)


def scan_max_bytes() -> int:
    return int(getattr(settings, "CONSULT_IDENTITY_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES))


def private_storage() -> FileSystemStorage:
    """Where scans wait for review: never under MEDIA_ROOT, never given a URL."""
    location = getattr(settings, "CONSULT_IDENTITY_PRIVATE_DIR", None) or (
        Path(settings.VAR_DIR) / "private" / "identity"
    )
    return FileSystemStorage(
        location=location, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


class DocumentForm(VerificationForm):
    document_type = forms.ChoiceField(label=_("Document"), choices=DOCUMENT_TYPES)
    number = forms.CharField(
        label=_("Document number"),
        max_length=NUMBER_MAX_LENGTH,
        help_text=_("As printed on the document. Spaces and dashes do not matter."),
    )
    scan = forms.FileField(
        label=_("Scan or photo of the document"),
        help_text=_(
            "PDF, JPEG or PNG. It is seen only by the staff who check it, and deleted "
            "once they decide."
        ),
    )


class DocumentCheck(VerificationMethod):
    key = "document"
    label = _("Document check")
    description = _(
        "Upload a scan of an identity document that shows where you live. Staff compare it with "
        "the number you give, then delete the scan."
    )
    steps = (
        _("Choose your place, your document and its number, and upload a scan."),
        _("Staff of the administration check it, usually within a few working days."),
        _("You see the decision here; the scan and the number are deleted either way."),
    )
    form_class = DocumentForm
    staff_reviewed = True

    def identifier(self, data: dict) -> str:
        kind = data.get("document_type")
        if kind not in dict(DOCUMENT_TYPES):
            raise ValidationError({"document_type": ValidationError(TYPE_INVALID)})
        number = compact(data.get("number") or "")
        if not NUMBER_MIN_LENGTH <= len(number) <= NUMBER_MAX_LENGTH:
            raise ValidationError({"number": ValidationError(NUMBER_INVALID)})
        return identifier_of(f"document:{kind}", number)

    def begin(self, *, user: User, data: dict) -> dict:
        self.identifier(data)
        scan: UploadedFile | None = data.get("scan")
        if scan is None:
            raise ValidationError({"scan": ValidationError(SCAN_REQUIRED)})
        limit = scan_max_bytes()
        if scan.size is None or scan.size > limit:
            raise ValidationError(
                {
                    "scan": ValidationError(
                        SCAN_TOO_LARGE,
                        params={
                            "size": filesizeformat(scan.size or 0),
                            "limit": filesizeformat(limit),
                        },
                    )
                }
            )
        kind = files.sniff(scan)
        if kind not in SCAN_KINDS:
            raise ValidationError({"scan": ValidationError(SCAN_TYPE)})
        name = private_storage().save(f"{secrets.token_hex(16)}{kind.extensions[0]}", scan)
        return {
            "document_type": data["document_type"],
            "number": " ".join((data.get("number") or "").split()),
            "content_type": kind.content_type,
            "files": [name],
        }

    def pending_note(self, method_data: dict) -> str:
        return _("Waiting for staff to check your document.")


def document_type_label(key: str) -> str:
    return str(dict(DOCUMENT_TYPES).get(key, key))
