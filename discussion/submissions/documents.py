"""Documents attached to a form response: checked by their content (a PDF,
an OpenDocument or Word text; a clerk's scan may also be an image), limited
in size and number, passed to the deployment's virus scanner if it has one,
stored under a name that never comes from the sender, and read by the worker
after the commit (tasks.extract_document)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from consult.infra import files
from discussion.submissions.models import ExtractionState, FormResponse, ResponseDocument
from discussion.submissions.tasks import extract_document

logger = logging.getLogger(__name__)

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
INFECTED = _("“%(name)s” was refused by the virus check: %(reason)s")
UNCHECKED = _("“%(name)s” could not be checked for viruses. Try again later.")


def max_bytes() -> int:
    return getattr(settings, "CONSULT_RESPONSE_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_documents() -> int:
    return getattr(settings, "CONSULT_RESPONSE_DOCUMENTS_MAX", DEFAULT_MAX_DOCUMENTS)


def scanner() -> Callable[[UploadedFile], str | None] | None:
    """The deployment's virus scanner (CONSULT_RESPONSE_DOCUMENT_SCANNER, a
    dotted path), or None. It takes the upload and refuses it by raising a
    ValidationError or by returning a reason; None means clean."""
    path = getattr(settings, "CONSULT_RESPONSE_DOCUMENT_SCANNER", None)
    return import_string(path) if path else None


def _scanned(upload: UploadedFile, name: str) -> None:
    try:
        scan = scanner()
        if scan is None:
            return
        upload.seek(0)
        try:
            reason = scan(upload)
        finally:
            upload.seek(0)
    except ValidationError as error:
        reason = " ".join(error.messages)
    except Exception:
        # Fail closed: a file the scanner could not judge is not stored.
        logger.exception("The virus scanner failed on an upload")
        raise ValidationError(UNCHECKED, params={"name": name}) from None
    if reason:
        raise ValidationError(INFECTED, params={"name": name, "reason": reason})


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
    _scanned(upload, name)
    return kind, extension


def check_uploads(
    uploads: list[UploadedFile], *, already: int = 0, scan: bool = False, field: str = "documents"
) -> list[tuple[UploadedFile, files.FileKind, str]]:
    """Every upload checked before anything is written (its size, its kind
    by content, the virus scanner): a ValidationError on `field` naming each
    file refused and why."""
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
    row fails to write is removed again. Each document's text is read by the
    worker once the transaction commits; a scan is not read (no character
    recognition) and says so."""
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
            extraction=ExtractionState.SKIPPED if scan else ExtractionState.PENDING,
        )
        document.file.save(document.sha256, upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        if not scan:
            # robust: a queue that cannot take the task never undoes the response.
            read = partial(extract_document.enqueue, document_id=document.pk)
            transaction.on_commit(read, robust=True)
        stored.append(document)
    return stored
