"""Recognising an uploaded file from its content, never from its name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    label: str | Promise


PDF = FileKind("application/pdf", (".pdf",), _("PDF"))
PNG = FileKind("image/png", (".png",), _("PNG image"))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), _("JPEG image"))
GIF = FileKind("image/gif", (".gif",), _("GIF image"))
WEBP = FileKind("image/webp", (".webp",), _("WebP image"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), _("Word")
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), _("Excel")
)
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    _("PowerPoint"),
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",), _("OpenDocument text"))
ODS = FileKind(
    "application/vnd.oasis.opendocument.spreadsheet", (".ods",), _("OpenDocument spreadsheet")
)
ODP = FileKind(
    "application/vnd.oasis.opendocument.presentation", (".odp",), _("OpenDocument presentation")
)

ACCEPTED = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP)
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}


def sniff(stream: BinaryIO) -> FileKind | None:
    """The kind of file the bytes are, or None when it is not one we accept."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    return None


def _sniff_zip(stream: BinaryIO) -> FileKind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # Read at most 100 bytes: a crafted entry can inflate to gigabytes.
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return ODF_TYPES.get(declared)
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    finally:
        stream.seek(0)
    return None
