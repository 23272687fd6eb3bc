"""Reads for the open-data pages: a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from consult.opendata import public
from consult.opendata.models import DataFile, Scope

PAGE_SIZE = 50


@dataclass
class Listing:
    site: DataFile | None
    # Each consultation of the page, with its file's row (None until first asked for).
    consultations: Page


def data_files_page(*, page: str | int | None = 1) -> Listing:
    proposals = public.proposals().order_by("-created_at", "-pk")
    page_obj = Paginator(proposals, PAGE_SIZE).get_page(page)
    rows = list(page_obj.object_list)
    files = {
        file.proposal_id: file
        for file in DataFile.objects.filter(proposal__in=[p.pk for p in rows])
    }
    page_obj.object_list = [(proposal, files.get(proposal.pk)) for proposal in rows]
    site = DataFile.objects.filter(scope=Scope.SITE).first()
    return Listing(site=site, consultations=page_obj)
