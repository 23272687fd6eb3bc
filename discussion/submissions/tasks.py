"""Background work of the response form, run by the task worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from consult.infra import files
from discussion.submissions import extraction
from discussion.submissions.models import ExtractionState, ResponseDocument

logger = logging.getLogger(__name__)

# A document still waiting this long was never read (the queue refused the
# task, or the worker stopped mid-way): the sweep enqueues it again.
STALE_AFTER = timedelta(minutes=30)
SWEEP_BATCH = 200


@task
def extract_document(document_id: int) -> str:
    """Read the words of one stored document (enqueued on commit by
    documents.store) into `extracted_text`. A broken, encrypted or hostile
    file ends as "failed", logged by its id and the reason, never its content."""
    document = ResponseDocument.objects.filter(pk=document_id).first()
    if document is None:
        return "missing"
    if document.is_scan:
        state, text = ExtractionState.SKIPPED, ""
    else:
        state, text = _read(document)
    ResponseDocument.objects.filter(pk=document_id).update(extraction=state, extracted_text=text)
    return state


def _read(document: ResponseDocument) -> tuple[str, str]:
    limit = extraction.limits()
    try:
        with document.file.open("rb") as stream:
            data = stream.read()
        text = extraction.extract(data, document.content_type, limit=limit)
    except extraction.ExtractionError as error:
        logger.warning("Document %s could not be read: %s", document.pk, error)
        return ExtractionState.FAILED, ""
    except Exception as error:
        # No file may stop the worker: a parser bug or MemoryError is a failed read.
        # The type only: a parser's message may quote the file's bytes.
        logger.warning("Document %s could not be read: %s", document.pk, type(error).__name__)
        return ExtractionState.FAILED, ""
    if not text and document.content_type == files.PDF.content_type:
        # A PDF without a text layer is a scan by another name.
        return ExtractionState.SKIPPED, ""
    return ExtractionState.DONE, text


@task
def documents_extract_pending() -> int:
    """Enqueue again the documents left waiting to be read (schedule hourly),
    so that no document's words are lost to a queue that was down."""
    stale = ResponseDocument.objects.filter(
        extraction=ExtractionState.PENDING,
        is_scan=False,
        uploaded_at__lt=timezone.now() - STALE_AFTER,
    ).order_by("pk")
    ids = list(stale.values_list("pk", flat=True)[:SWEEP_BATCH])
    for document_id in ids:
        extract_document.enqueue(document_id=document_id)
    return len(ids)
