"""The words of a response's document, read from its bytes: a PDF's text
layer, a Word document's paragraphs, an OpenDocument text's paragraphs and
headings. Nothing here trusts the file: pages, uncompressed bytes and
characters are capped so that a zip bomb or a PDF of thousands of pages costs
the worker a bounded effort, and XML with a DTD or entities is refused."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.conf import settings

from consult.infra import files

DEFAULT_MAX_CHARS = 200_000
# A PDF's pages are read up to this many; the text cap usually comes first
# (about 80 dense pages), so this bounds only PDFs of nearly empty pages.
DEFAULT_MAX_PAGES = 500
# Drawing instructions decoded behind one page (its content and forms), and
# behind all pages read: pypdf takes about 4 s of CPU per MiB of them here,
# while a dense page of text needs tens of KiB. A heavier page is skipped,
# and reading stops once the total is spent.
MAX_PAGE_CONTENT = 1024 * 1024
MAX_PDF_CONTENT = 4 * 1024 * 1024
# The XML part of a Word or OpenDocument file may inflate to this much: 200,000
# characters of heavily formatted text take under 10 MiB of XML, and parsing
# 16 MiB of bare markup takes a few seconds on one core.
DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024
# Office XML deflates about ten times; a part declaring more than this ratio
# is a zip bomb and is refused without inflating it.
MAX_RATIO = 100
CHUNK = 64 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


class ExtractionError(Exception):
    """The document cannot be read. The message says why in a few words and
    never quotes the file."""


@dataclass(frozen=True)
class Limits:
    max_chars: int = DEFAULT_MAX_CHARS
    max_pages: int = DEFAULT_MAX_PAGES
    max_xml_bytes: int = DEFAULT_MAX_XML_BYTES


def limits() -> Limits:
    """The limits in force (read from settings at call time)."""
    return Limits(
        max_chars=getattr(settings, "CONSULT_RESPONSE_DOCUMENT_TEXT_MAX_CHARS", DEFAULT_MAX_CHARS),
        max_pages=getattr(settings, "CONSULT_RESPONSE_DOCUMENT_MAX_PAGES", DEFAULT_MAX_PAGES),
        max_xml_bytes=getattr(
            settings, "CONSULT_RESPONSE_DOCUMENT_MAX_XML_BYTES", DEFAULT_MAX_XML_BYTES
        ),
    )


def extract(data: bytes, content_type: str, *, limit: Limits | None = None) -> str:
    """The cleaned text of a document of the given content type, at most
    `limit.max_chars` characters; ExtractionError when it cannot be read."""
    limit = limit or limits()
    readers = {
        files.PDF.content_type: pdf_text,
        files.DOCX.content_type: docx_text,
        files.ODT.content_type: odt_text,
    }
    if content_type not in readers:
        raise ExtractionError("not a kind of document that is read")
    return clean(readers[content_type](data, limit), limit.max_chars)


# --- cleaning ------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: str, max_chars: int) -> str:
    """Text fit to store and to read for themes: control characters (NUL
    among them) dropped, runs of spaces made one, at most one blank line in a
    row, lines trimmed; every script kept as it is (NFC only: NFKC would turn
    Chinese full-width punctuation into ASCII)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL.sub("", text)
    # A lone surrogate (a broken PDF font map) cannot be stored as UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()[:max_chars]


# --- PDF -----------------------------------------------------------------------------------------


def pdf_text(data: bytes, limit: Limits) -> str:
    """The text layer of the first `max_pages` pages, stopping once there is
    enough text or the drawing instructions' budget is spent. An image-only
    PDF (a scan) has none: the result is empty."""
    # Imported here: only the worker reads PDFs, the web processes never do.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Only a PDF locked for changes (an empty opening password) is read.
            raise ExtractionError("encrypted with a password")
        return _pages_text(reader, limit)
    except FileNotDecryptedError as error:
        raise ExtractionError("encrypted with a password") from error
    except DependencyError as error:
        raise ExtractionError("encrypted in a way that cannot be opened") from error
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        NotImplementedError,
        RecursionError,
        struct.error,
        zlib.error,
    ) as error:
        raise ExtractionError(f"not a readable PDF ({type(error).__name__})") from error


def _pages_text(reader, limit: Limits) -> str:
    parts, length, budget, skipped = [], 0, MAX_PDF_CONTENT, 0
    for number, page in enumerate(reader.pages):
        if number >= limit.max_pages or length > limit.max_chars or budget <= 0:
            break
        weight = page_weight(page)
        budget -= weight
        if weight > MAX_PAGE_CONTENT or budget < 0:
            skipped += 1
            continue
        text = page.extract_text() or ""
        parts.append(text)
        length += len(text)
    if skipped and not "".join(parts).strip():
        # Not a scan: pages too heavy to read.
        raise ExtractionError(f"{skipped} pages beyond the drawing instructions' limit")
    return "\n\n".join(parts)


def page_weight(page) -> int:
    """Decoded bytes of the drawing instructions behind a page: its content
    streams and the forms it draws (nested up to three deep)."""
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    return size + _forms_weight(page.get("/Resources"), depth=0, seen=set())


def _forms_weight(resources, *, depth: int, seen: set[int]) -> int:
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None and depth < 3 else None
    if xobjects is None:
        return 0
    total = 0
    for reference in xobjects.get_object().values():
        key = getattr(reference, "idnum", id(reference))
        form = reference.get_object()
        if key in seen or form.get("/Subtype") != "/Form":
            continue
        seen.add(key)
        nested = _forms_weight(form.get("/Resources"), depth=depth + 1, seen=seen)
        total += len(form.get_data()) + nested
    return total


# --- Word and OpenDocument -----------------------------------------------------------------------


class _Enough(Exception):
    """Enough text has been read: parsing stops early."""


class _Paragraphs:
    """An XML parser's target that collects the character data of paragraphs
    as they stream past, never building the document's tree. `text` names
    the elements holding a paragraph's words (None: everything inside a
    paragraph counts). A break between words waits for the next words, the
    strongest kept, so that a million empty paragraphs cost only parsing."""

    BREAKS = {"tab": " ", "s": " ", "br": "\n", "cr": "\n", "line-break": "\n"}

    def __init__(self, *, ns: str, paragraphs: set[str], text: set[str] | None, max_chars: int):
        self.prefix = "{" + ns + "}"
        self.paragraphs, self.text, self.max_chars = paragraphs, text, max_chars
        self.parts: list[str] = []
        self.length = 0
        self.pending = ""  # the break waiting for the next words
        self.depth = 0  # inside paragraphs (a text box's paragraph nests in another)
        self.in_text = 0

    def _local(self, tag: str) -> str | None:
        return tag[len(self.prefix) :] if tag.startswith(self.prefix) else None

    def _break(self, value: str) -> None:
        if value.count("\n") > self.pending.count("\n") or not self.pending:
            self.pending = value

    def start(self, tag: str, attrib: dict) -> None:
        local = self._local(tag)
        if local in self.paragraphs:
            self.depth += 1
            self._break("\n\n")
        elif self.text is not None and local in self.text:
            self.in_text += 1
        elif local in self.BREAKS and self.depth:
            self._break(self.BREAKS[local])

    def end(self, tag: str) -> None:
        local = self._local(tag)
        if local in self.paragraphs:
            self.depth = max(0, self.depth - 1)
            self._break("\n\n")
        elif self.text is not None and local in self.text:
            self.in_text = max(0, self.in_text - 1)

    def data(self, content: str) -> None:
        if not (self.in_text if self.text is not None else self.depth):
            return
        if self.pending and self.parts:
            self.parts.append(self.pending)
            self.length += len(self.pending)
        self.pending = ""
        self.parts.append(content)
        self.length += len(content)
        if self.length > self.max_chars:
            raise _Enough

    def close(self) -> str:
        return "".join(self.parts)


def _member(archive: zipfile.ZipFile, part: str, limit: Limits) -> zipfile.ZipInfo:
    """The part's entry, refused before any byte is inflated when it declares
    more than the limit or a ratio only a zip bomb has. (zipfile stops at the
    declared size and fails the CRC, so a lying entry gains nothing.)"""
    try:
        info = archive.getinfo(part)
    except KeyError as error:
        raise ExtractionError(f"no {part} in the package") from error
    if info.file_size > limit.max_xml_bytes:
        raise ExtractionError(f"{part} inflates beyond {limit.max_xml_bytes} bytes")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ExtractionError(f"{part} inflates more than {MAX_RATIO} times: a zip bomb")
    return info


def _xml_text(data: bytes, part: str, target: _Paragraphs, limit: Limits) -> str:
    """Stream one XML part of a zip package through the target, refusing a
    DTD or entities and stopping at `max_xml_bytes` inflated bytes."""
    # A DOCTYPE is refused outright (entity expansion and external entities
    # need one), and so is any entity declaration.
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    read = 0
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            archive.open(_member(archive, part, limit)) as member,
        ):
            while chunk := member.read(CHUNK):
                read += len(chunk)
                if read > limit.max_xml_bytes:
                    raise ExtractionError(f"{part} inflates beyond {limit.max_xml_bytes} bytes")
                parser.feed(chunk)
        return parser.close()
    except _Enough:
        return target.close()
    except DefusedXmlException as error:
        raise ExtractionError(f"{part} declares a DTD or entities") from error
    except ParseError as error:
        raise ExtractionError(f"{part} is not well-formed XML") from error
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,  # a zip member encrypted with a password
    ) as error:
        raise ExtractionError(f"not a readable package ({type(error).__name__})") from error


def docx_text(data: bytes, limit: Limits) -> str:
    """The paragraphs of a Word document's body (word/document.xml): the
    words in w:t, tabs and line breaks; deleted revisions and field codes
    are not text."""
    target = _Paragraphs(ns=W, paragraphs={"p"}, text={"t"}, max_chars=limit.max_chars)
    return _xml_text(data, "word/document.xml", target, limit)


def odt_text(data: bytes, limit: Limits) -> str:
    """The paragraphs and headings of an OpenDocument text (content.xml)."""
    target = _Paragraphs(ns=TEXT, paragraphs={"p", "h"}, text=None, max_chars=limit.max_chars)
    return _xml_text(data, "content.xml", target, limit)
