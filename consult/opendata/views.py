"""The open-data pages: the list of downloads, and the downloads themselves."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from consult.infra.ratelimit import Rate, RateLimited, address, hit, rates
from consult.infra.refusals import refusal_text
from consult.opendata import public, selectors, services
from consult.opendata.dictionary import licence
from consult.opendata.models import BuildState, DataFile
from proposals.access import access_proposal

# How often the "being prepared" page asks again, in seconds.
REFRESH_SECONDS = 5


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    listing = selectors.data_files_page(page=request.GET.get("page"))
    return render(
        request,
        "opendata/index.html",
        {"listing": listing, "api_docs_url": reverse("api:docs"), "licence": licence()},
    )


@require_safe
def site_download(request: HttpRequest) -> HttpResponse:
    file = services.data_file_for(proposal=None)
    return _download(request, file, "consult-open-data.zip")


@require_safe
def consultation_download(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(AnonymousUser(), slug=slug, queryset=public.proposals())
    file = services.data_file_for(proposal=proposal)
    return _download(request, file, f"{proposal.slug}-open-data.zip")


def _download(request: HttpRequest, file: DataFile, filename: str) -> HttpResponse:
    """The last good file, at once, and once in a while a check of the data
    queued (which builds the file anew if the data changed). Only when there
    is no file yet, a page that says it is being prepared and looks again."""
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        hit("download", [(address(ip), Rate.parse(rate)) for rate in rates("download")["ip"]])
    except RateLimited as error:
        refused = HttpResponse(
            refusal_text(error), status=429, content_type="text/plain; charset=utf-8"
        )
        refused["Retry-After"] = str(error.retry_after)
        return refused
    file = services.data_file_refresh(file)
    if services.words_withdrawn_since(file):
        # A moderator hid a comment (or its author deleted it) since the file
        # was made: its words are not handed out again, even while rebuilding.
        services.data_file_request(file=file)
        file.refresh_from_db()
        return _preparing(request, file)
    opened = services.data_file_open(file)
    if opened is None:
        return _preparing(request, file)
    file, handle = opened
    etag = f'"{file.sha256}"'
    last_modified = int(file.built_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is not None:
        handle.close()
    else:
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/zip"
        )
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Kept by caches, but asked about again each time: the data may have changed.
    response["Cache-Control"] = "no-cache"
    return response


def _preparing(request: HttpRequest, file: DataFile) -> HttpResponse:
    """202 while a first file is built; 503 when its build failed (a script
    that downloads the data is told when to try again either way)."""
    failed = file.state == BuildState.FAILED
    response = render(
        request,
        "opendata/preparing.html",
        {"file": file, "refresh": REFRESH_SECONDS, "proposal": file.proposal},
        status=503 if failed else 202,
    )
    retry = services.RETRY_AFTER.total_seconds() if failed else REFRESH_SECONDS
    response["Retry-After"] = str(int(retry))
    response["Cache-Control"] = "no-store"
    return response
