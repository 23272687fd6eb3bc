"""Attachments: recognised from their content, size-limited, served safely."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consult.infra import files
from proposals.models import Attachment
from proposals.services import attachments
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr({"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind], "<x/>")
    return buffer.getvalue()


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, files.PDF),
        ("plan.docx", office("docx"), files.DOCX),
        ("budget.xlsx", office("xlsx"), files.XLSX),
        ("note.odt", office("odt"), files.ODT),
        ("map.PNG", PNG, files.PNG),
    ],
)
def test_accepted_kinds_are_recognised_from_content(name, content, kind):
    assert files.sniff(io.BytesIO(content)) == kind


def test_a_pdf_is_stored_under_a_name_the_uploader_did_not_choose(published, people, media):
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="image/png")
    attachment = attachments.attachment_add(
        actor=people.official, proposal=published, upload=upload, title="Annex A"
    )
    assert attachment.content_type == "application/pdf"  # from the bytes, not the browser's claim
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert stored_files(media) and all(media in p.parents for p in stored_files(media))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", PNG, "content is a PNG image but its name ends in .pdf"),
        ("report.docx", PDF, "content is a PDF but its name ends in .docx"),
        ("script.pdf", b"<script>alert(1)</script>", "not a PDF, an image"),
        ("archive.zip", office("docx")[:-30], "not a PDF, an image"),
        ("noextension", PDF, "name ends in (no extension)"),
    ],
)
def test_mismatched_or_unknown_files_are_refused_and_nothing_is_written(
    published, people, media, name, content, message
):
    with pytest.raises(ValidationError) as refused:
        attachments.attachment_add(
            actor=people.official,
            proposal=published,
            upload=SimpleUploadedFile(name, content),
            title="X",
        )
    assert message in " ".join(refused.value.messages)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_files_over_the_limit_are_refused(published, people, media, settings):
    settings.CONSULT_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="the limit is 1 KiB"):
        attachments.attachment_add(
            actor=people.official,
            proposal=published,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
            title="Big",
        )
    assert stored_files(media) == []


def test_images_need_a_text_alternative(published, people):
    with pytest.raises(ValidationError, match="Describe the image"):
        attachments.attachment_add(
            actor=people.official,
            proposal=published,
            upload=SimpleUploadedFile("map.png", PNG),
            title="Map",
        )
    attachment = attachments.attachment_add(
        actor=people.official,
        proposal=published,
        upload=SimpleUploadedFile("map.png", PNG),
        title="Map",
        alt_text="Streets around the school inside the 20 km/h zone",
    )
    assert attachment.is_image


def test_downloads_carry_safe_headers(client, open_proposal, people):
    pdf = attachments.attachment_add(
        actor=people.official,
        proposal=open_proposal,
        upload=SimpleUploadedFile("a.pdf", PDF),
        title="Annex",
    )
    response = client.get(f"{open_proposal.get_absolute_url()}attachments/{pdf.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_a_drafts_files_are_not_public(client, published, people):
    pdf = attachments.attachment_add(
        actor=people.official,
        proposal=published,
        upload=SimpleUploadedFile("a.pdf", PDF),
        title="Annex",
    )
    url = f"{published.get_absolute_url()}attachments/{pdf.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(people.official)
    assert client.get(url).status_code == 200


@pytest.fixture
def debug_urls(settings):
    """The URLs as `make run` (DEBUG on) draws them."""
    import importlib

    from django.urls import clear_url_caches

    import consult.urls

    settings.DEBUG = True
    importlib.reload(consult.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(consult.urls)
    clear_url_caches()


def test_files_are_never_served_from_media_even_in_debug(
    client, draft, people, media, debug_urls, settings
):
    """A draft's attachment is reached only through the view that checks who asks."""
    attachment = attachments.attachment_add(
        actor=people.official,
        proposal=draft,
        upload=SimpleUploadedFile("annex.pdf", PDF),
        title="Annex A",
    )
    assert settings.DEBUG and (media / attachment.file.name).is_file()

    assert client.get(f"{settings.MEDIA_URL}{attachment.file.name}").status_code == 404
    client.force_login(people.official)
    assert client.get(f"{settings.MEDIA_URL}{attachment.file.name}").status_code == 404
    url = f"/consultations/{draft.slug}/attachments/{attachment.pk}/"
    served = client.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    client.force_login(people.citizen)
    assert client.get(url).status_code == 404
