"""Documents attached to a form response: checked by their content (a PDF,
an OpenDocument or Word text; a clerk's scan may also be an image), limited
in size and number, stored under a name that never comes from the sender."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from consult.infra import files
from discussion.submissions.models import FormResponse, ResponseDocument

DOCUMENT_KINDS = (files.PDF, files.ODT, files.DOCX)
SCAN_KINDS = (files.PDF, files.PNG, files.JPEG)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DOCUMENTS = 5

TOO_LARGE = _("“%(name)s” is %(size)s; the limit is %(limit)s.")
WRONG_KIND = _("“%(name)s” is not a PDF, OpenDocument text or Word document.")
WRONG_SCAN_KIND = _("“%(name)s” is not a PDF, PNG or JPEG scan.")
MISMATCH = _("“%(name)s” is a %(kind)s but its name ends in %(extension)s. Rename or re-export it.")
TOO_MANY = _("A response can have at most %(limit)d documents.")
EMPTY = _("“%(name)s” is empty.")


def max_bytes() -> int:
    return getattr(settings, "CONSULT_RESPONSE_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_documents() -> int:
    return getattr(settings, "CONSULT_RESPONSE_DOCUMENTS_MAX", DEFAULT_MAX_DOCUMENTS)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


def _checked(upload: UploadedFile, *, scan: bool) -> tuple[files.FileKind, str]:
    name = PurePath(upload.name or "file").name[:100]
    if not upload.size:
        raise ValidationError(EMPTY, params={"name": name})
    if upload.size > max_bytes():
        raise ValidationError(
            TOO_LARGE,
            params={"name": name, "size": _size(upload.size), "limit": _size(max_bytes())},
        )
    kind = files.sniff(upload.file)
    allowed = SCAN_KINDS if scan else DOCUMENT_KINDS
    if kind not in allowed:
        raise ValidationError(WRONG_SCAN_KIND if scan else WRONG_KIND, params={"name": name})
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            MISMATCH,
            params={"name": name, "kind": kind.label, "extension": extension or _("(none)")},
        )
    return kind, extension


def check_uploads(
    uploads: list[UploadedFile], *, already: int = 0, scan: bool = False, field: str = "documents"
) -> list[tuple[UploadedFile, files.FileKind, str]]:
    """Every upload checked before anything is written: a ValidationError on
    `field` naming each file refused and why."""
    if already + len(uploads) > max_documents():
        raise ValidationError({field: ValidationError(TOO_MANY, params={"limit": max_documents()})})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, *_checked(upload, scan=scan)))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError({field: errors})
    return checked


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store(
    response: FormResponse, checked: list[tuple[UploadedFile, files.FileKind, str]], *, scan: bool
) -> list[ResponseDocument]:
    """Store checked uploads (inside the caller's transaction); a file whose
    row fails to write is removed again."""
    stored = []
    for upload, kind, extension in checked:
        document = ResponseDocument(
            response=response,
            proposal_id=response.proposal_id,
            original_name=PurePath(upload.name or "file").name[:255],
            content_type=kind.content_type,
            extension=extension,
            size=upload.size,
            sha256=_sha256(upload),
            is_scan=scan,
        )
        document.file.save(document.sha256, upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        stored.append(document)
    return stored
