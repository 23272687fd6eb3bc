"""Reading the words of documents attached to responses: real PDFs, Word and
OpenDocument files (Chinese among them), and the hostile ones (truncated,
encrypted, zip bombs, entity expansion, huge text) that must end as a failed
or capped read, never as an exception in the worker. Also the virus-scan hook."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consult.accounts.models import Role
from consult.infra import files
from discussion.submissions import extraction, services
from discussion.submissions.extraction import ExtractionError, Limits
from discussion.submissions.models import ExtractionState, FormResponse, ResponseDocument
from discussion.submissions.tasks import extract_document
from tests.discussion.submissions.test_services import (
    INDIVIDUAL,
    LETTER,
    ORGANISATION,
    full_answers,
)

CHINESE = "我们支持在学校附近限速每小时二十公里。"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# --- documents made here ----------------------------------------------------------------------


def pdf(*pages: str) -> bytes:
    """A real PDF (WeasyPrint, as the report's), one page per string."""
    from weasyprint import HTML

    body = "".join(f'<p style="break-before: page">{text}</p>' for text in pages)
    return HTML(string=f'<html lang="zh"><body>{body}</body></html>').write_pdf()


def package(parts: dict[str, bytes | str], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(first, parts.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(body: str | bytes, *, prolog: str = "") -> bytes:
    """A minimal Word document whose body is the given WordprocessingML."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W_NS}"><w:body>'
    document = head.encode() + (body if isinstance(body, bytes) else body.encode())
    return package(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": document + b"</w:body></w:document>",
        }
    )


def paragraphs(*texts: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in texts)


def odt(body: str) -> bytes:
    """A minimal OpenDocument text whose office:text is the given markup."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    return package({"mimetype": files.ODT.content_type, "content.xml": content}, first="mimetype")


def read(data: bytes, kind: files.FileKind, **limits) -> str:
    return extraction.extract(data, kind.content_type, limit=Limits(**limits))


# --- what is read -----------------------------------------------------------------------------


def test_a_two_page_pdf_is_read_page_by_page_with_its_chinese():
    text = read(pdf(f"Page one. {CHINESE}", "第二页：我们反对。"), files.PDF)
    assert CHINESE in text and "第二页：我们反对。" in text
    assert text.index("Page one") < text.index("第二页")


def test_a_word_document_gives_its_paragraphs_and_not_its_deleted_words():
    body = (
        paragraphs("Our view", CHINESE)
        + "<w:p><w:r><w:t>Speed</w:t><w:tab/><w:t>limits</w:t><w:br/><w:t>now</w:t></w:r>"
        "<w:del><w:r><w:delText>withdrawn words</w:delText></w:r></w:del></w:p>"
    )
    text = read(docx(body), files.DOCX)
    assert text == f"Our view\n\n{CHINESE}\n\nSpeed limits\nnow"


def test_an_opendocument_text_gives_its_headings_and_paragraphs():
    body = (
        "<text:h>Submission 意见</text:h>"
        f"<text:p>First<text:s text:c='4'/>point, <text:span>{CHINESE}</text:span></text:p>"
        "<text:p>Line<text:line-break/>two</text:p>"
    )
    assert read(odt(body), files.ODT) == f"Submission 意见\n\nFirst point, {CHINESE}\n\nLine\ntwo"


def test_text_is_cleaned_but_every_script_kept():
    raw = "  A\x00B\tC   D \r\n\r\n\r\n\r\n全角，标点！\x0c next\ufeff"
    assert extraction.clean(raw, 1000) == "AB C D\n\n全角，标点！\nnext\ufeff"
    assert extraction.clean("\ud800 lone surrogate", 1000) == "? lone surrogate"


def chinese_words(count: int, seed: int = 1) -> str:
    """Varied Chinese characters (repetition would compress like a zip bomb)."""
    return "".join(chr(0x4E00 + (seed * 7919 + i * 104729) % 20000) for i in range(count))


def test_a_long_document_is_capped():
    texts = [chinese_words(150, seed) for seed in range(2000)]
    text = read(docx(paragraphs(*texts)), files.DOCX, max_chars=1000)
    assert len(text) == 1000 and text.startswith(f"{texts[0]}\n\n{texts[1]}")


def test_a_pdf_is_read_up_to_its_page_limit():
    text = read(pdf(*[f"Page {n}" for n in range(1, 6)]), files.PDF, max_pages=3)
    assert "Page 3" in text and "Page 4" not in text


def test_a_pdf_whose_text_is_huge_is_capped():
    text = read(pdf(*[CHINESE * 40] * 8), files.PDF, max_chars=2000)
    assert len(text) == 2000 and CHINESE in text


def with_heavy_page(light: str, heavy: str) -> bytes:
    """A PDF of a light page and a page whose drawing instructions repeat
    until they pass the limit: a few kB on disk, megabytes to interpret."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(light, heavy))))
    page = writer.pages[1]
    stream = StreamObject()
    content = page.get_contents().get_data()
    stream.set_data(content * (extraction.MAX_PAGE_CONTENT // len(content) + 1))
    page[NameObject("/Contents")] = writer._add_object(stream)
    page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_page_of_megabytes_of_drawing_instructions_is_not_interpreted():
    data = with_heavy_page("Light page", "重" * 200)
    assert len(data) < 50_000
    from pypdf import PdfReader

    weights = [extraction.page_weight(page) for page in PdfReader(io.BytesIO(data)).pages]
    assert weights[0] < 100_000 < extraction.MAX_PAGE_CONTENT < weights[1]
    assert read(data, files.PDF) == "Light page"
    with pytest.raises(ExtractionError, match="1 pages beyond the drawing instructions' limit"):
        read(with_heavy_page("", "重" * 200), files.PDF)


def test_an_image_only_pdf_has_no_text():
    blank = pdf('<span style="display:inline-block;width:5cm;height:5cm;background:#000"></span>')
    assert read(blank, files.PDF) == ""


# --- what is refused ---------------------------------------------------------------------------


def encrypted_pdf(password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(CHINESE))))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_locked_by_a_password_is_refused_and_one_locked_for_changes_is_read():
    with pytest.raises(ExtractionError, match="encrypted"):
        read(encrypted_pdf("secret"), files.PDF)
    assert CHINESE in read(encrypted_pdf(""), files.PDF)


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL = '<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    "data, kind, reason",
    [
        (pdf("Our view")[:300], files.PDF, "not a readable PDF"),
        (b"%PDF-1.7\n" + b"\x00" * 200, files.PDF, "not a readable PDF"),
        (docx(paragraphs("&lol3;"), prolog=BILLION_LAUGHS), files.DOCX, "DTD or entities"),
        (docx(paragraphs("&secret;"), prolog=EXTERNAL), files.DOCX, "DTD or entities"),
        (docx("<w:p><w:r><w:t>unclosed</w:r></w:p>"), files.DOCX, "not well-formed"),
        (docx(paragraphs("ok"))[:-40], files.DOCX, "not a readable package"),
        (odt("<text:p>ok</text:p>").replace(b"content.xml", b"content.xmm"), files.ODT, "no "),
        (b"PK\x03\x04 not a zip", files.ODT, "not a readable package"),
    ],
    ids=["truncated-pdf", "garbage-pdf", "entity-expansion", "external-entity", "bad-xml",
         "truncated-zip", "no-content-xml", "not-a-zip"],
)  # fmt: skip
def test_a_broken_or_hostile_document_is_refused_with_a_reason(data, kind, reason):
    with pytest.raises(ExtractionError, match=reason):
        read(data, kind)


def zip_bomb(megabytes: int) -> bytes:
    """A Word document a few tens of kilobytes long whose body inflates to
    `megabytes` MB of empty paragraphs (no text: every byte must be parsed)."""
    return docx(b"<w:p/>" * (megabytes * 1_000_000 // 6))


@pytest.mark.parametrize(
    "megabytes, reason",
    [(50, "inflates beyond 16777216 bytes"), (10, "inflates more than 100 times: a zip bomb")],
)
def test_a_zip_bomb_is_refused_without_inflating_it(megabytes, reason):
    bomb = zip_bomb(megabytes)
    assert len(bomb) < 200_000
    with pytest.raises(ExtractionError, match=reason):
        read(bomb, files.DOCX)


def test_a_part_inflating_beyond_the_limit_is_refused_however_it_is_compressed():
    text = "".join(f"{n} 条意见。" for n in range(300))  # compresses about three times
    with pytest.raises(ExtractionError, match="inflates beyond 2000 bytes"):
        read(docx(paragraphs(text)), files.DOCX, max_xml_bytes=2000)
    assert read(docx(paragraphs(text)), files.DOCX, max_xml_bytes=20_000) == text


# --- the worker's task --------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def respond(make_user, proposal, questions, *uploads, capture):
    """Submit a response with documents and run what waits for the commit
    (the test suite's task backend runs each task at once when enqueued)."""
    with capture(execute=True) as callbacks:
        response = services.response_save(
            actor=make_user(),
            proposal=proposal,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
            uploads=list(uploads),
        )
        # Nothing is read before the commit.
        assert set(response.documents.values_list("extraction", flat=True)) == {"pending"}
    assert callbacks
    return {d.original_name: d for d in response.documents.all()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_documents_are_read_by_the_worker_after_the_commit(
    make_user, form_consultation, questions, media, django_capture_on_commit_callbacks
):
    documents = respond(
        make_user,
        form_consultation,
        questions,
        upload("view.pdf", pdf(CHINESE, "Second page")),
        upload("view.docx", docx(paragraphs("Word", CHINESE))),
        upload("view.odt", odt(f"<text:p>{CHINESE}</text:p>")),
        upload("scan.pdf", pdf("")),
        capture=django_capture_on_commit_callbacks,
    )
    for name in ("view.pdf", "view.docx", "view.odt"):
        assert documents[name].extraction == ExtractionState.DONE
        assert CHINESE in documents[name].extracted_text
    assert "Second page" in documents["view.pdf"].extracted_text
    # A PDF without a text layer is a scan: not read, and not a failure.
    assert (documents["scan.pdf"].extraction, documents["scan.pdf"].extracted_text) == (
        ExtractionState.SKIPPED,
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_in_the_database_queue_the_worker_reads_each_document_once_committed(
    make_user, form_consultation, questions, media, settings
):
    """Production's queue: each task waits as a row, written on commit, until
    a worker runs it."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=ORGANISATION,
        answers=full_answers(questions),
        submit=True,
        uploads=[upload("view.docx", docx(paragraphs(CHINESE))), upload("view.pdf", pdf("Annex"))],
    )
    documents = list(response.documents.all())
    queued = DBTaskResult.objects.filter(task_path="discussion.submissions.tasks.extract_document")
    assert sorted(row.args_kwargs["kwargs"]["document_id"] for row in queued) == sorted(
        d.pk for d in documents
    )
    assert {d.extraction for d in documents} == {ExtractionState.PENDING}

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    read = {d.original_name: d.extracted_text for d in ResponseDocument.objects.all()}
    assert read == {"view.docx": CHINESE, "view.pdf": "Annex"}


def test_documents_left_waiting_are_queued_again_by_the_sweep(
    make_user, form_consultation, questions, media, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from discussion.submissions.tasks import documents_extract_pending

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    documents = respond(
        make_user,
        form_consultation,
        questions,
        upload("old.docx", docx(paragraphs("old"))),
        upload("new.docx", docx(paragraphs("new"))),
        capture=django_capture_on_commit_callbacks,
    )
    DBTaskResult.objects.all().delete()  # the queue lost them
    old = documents["old.docx"]
    ResponseDocument.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - timedelta(hours=1)
    )
    assert documents_extract_pending.call() == 1
    [row] = DBTaskResult.objects.all()
    assert row.args_kwargs["kwargs"] == {"document_id": old.pk}


SECRET = "Our confidential bank details 12345"


def test_a_hostile_document_fails_without_an_exception_or_its_content_in_the_log(
    make_user, form_consultation, questions, media, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    documents = respond(
        make_user,
        form_consultation,
        questions,
        upload("cut.pdf", pdf(SECRET)[:400]),
        upload("locked.pdf", encrypted_pdf("secret")),
        upload("bomb.docx", zip_bomb(50)),
        upload("laughs.docx", docx(paragraphs(f"{SECRET} &lol3;"), prolog=BILLION_LAUGHS)),
        capture=django_capture_on_commit_callbacks,
    )
    assert {d.extraction for d in documents.values()} == {ExtractionState.FAILED}
    assert not any(d.extracted_text for d in documents.values())
    assert "could not be read" in caplog.text and SECRET not in caplog.text


def test_the_task_survives_a_missing_file_and_a_parser_bug(
    make_user, form_consultation, questions, media, django_capture_on_commit_callbacks, monkeypatch
):
    documents = respond(
        make_user,
        form_consultation,
        questions,
        upload("a.docx", docx(paragraphs("a"))),
        capture=django_capture_on_commit_callbacks,
    )
    document = documents["a.docx"]
    document.file.delete(save=False)
    assert extract_document.call(document_id=document.pk) == ExtractionState.FAILED

    def broken(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(extraction, "docx_text", broken)
    ResponseDocument.objects.filter(pk=document.pk).update(extraction=ExtractionState.PENDING)
    assert extract_document.call(document_id=document.pk) == ExtractionState.FAILED
    assert extract_document.call(document_id=document.pk + 1000) == "missing"


@pytest.fixture
def clerk(make_user, grant, tree):
    return grant(make_user(display_name="Clerk"), tree.ministry, Role.CLERK)


def test_a_clerks_scan_is_not_read(clerk, form_consultation, questions, media):
    response = services.response_enter(
        actor=clerk,
        proposal=form_consultation,
        entry=LETTER,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
        scans=[upload("letter.pdf", pdf(CHINESE))],
    )
    document = response.documents.get()
    assert (document.extraction, document.extracted_text) == (ExtractionState.SKIPPED, "")
    assert document.get_extraction_display() == "Not read: a scan"


# --- the virus-scan hook ------------------------------------------------------------------------


def eicar_scanner(file) -> None:
    """Refuses a file containing the EICAR test string, as an antivirus would."""
    if EICAR in file.read():
        raise ValidationError("Eicar-Signature FOUND")


def reason_scanner(file) -> str | None:
    return "quarantined" if EICAR in file.read() else None


def broken_scanner(file) -> None:
    raise ConnectionRefusedError("clamd is down")


HERE = "tests.discussion.submissions.test_extraction"


@pytest.mark.parametrize(
    "scanner, messages",
    [
        ("eicar_scanner", ["“test.pdf” was refused by the virus check: Eicar-Signature FOUND"]),
        ("reason_scanner", ["“test.pdf” was refused by the virus check: quarantined"]),
        # A scanner that cannot answer refuses every file: none goes unchecked.
        (
            "broken_scanner",
            [
                "“clean.pdf” could not be checked for viruses. Try again later.",
                "“test.pdf” could not be checked for viruses. Try again later.",
            ],
        ),
    ],
)
def test_the_virus_scanner_refuses_before_anything_is_written(
    make_user, form_consultation, questions, media, settings, scanner, messages
):
    settings.CONSULT_RESPONSE_DOCUMENT_SCANNER = f"{HERE}.{scanner}"
    infected = pdf("Our view") + b"\n" + EICAR
    with pytest.raises(ValidationError) as refused:
        services.response_save(
            actor=make_user(),
            proposal=form_consultation,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
            uploads=[upload("clean.pdf", pdf("Our view")), upload("test.pdf", infected)],
        )
    assert refused.value.message_dict["documents"] == messages
    assert not FormResponse.objects.exists() and not list(media.rglob("*.*"))


def test_the_virus_scanner_passes_a_clean_file_whole(
    make_user, form_consultation, questions, media, settings
):
    settings.CONSULT_RESPONSE_DOCUMENT_SCANNER = f"{HERE}.eicar_scanner"
    content = pdf("Our view")
    response = services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=ORGANISATION,
        answers=full_answers(questions),
        submit=True,
        uploads=[upload("clean.pdf", content)],
    )
    assert response.documents.get().file.read() == content
