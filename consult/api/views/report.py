"""What the government answered: official responses and the published report."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from consult.api import serializers as shapes
from consult.api.base import ApiView
from consult.api.pagination import Cursor
from consult.api.views.shared import public_proposal
from consult.opendata import public
from consult.reports.models import ReportState, ResponseReport
from consult.reports.rendering.exports import downloads as report_downloads
from consult.reports.report.snapshots import snapshot_shown


class Responses(ApiView):
    pagination_class = Cursor

    @extend_schema(operation_id="responses_list", responses=shapes.Response(many=True))
    def get(self, request, slug):
        proposal = public_proposal(slug)
        shown = public.comments(proposal)
        qs = (
            public.responses(proposal)
            .select_related("department", "changed_version")
            .prefetch_related(Prefetch("comments", queryset=shown.only("pk"), to_attr="shown"))
        )
        page = self.paginate_queryset(qs)
        listed = shapes.Response(page, many=True, context={"consultation": proposal.slug})
        return self.get_paginated_response(listed.data)


class Report(ApiView):
    @extend_schema(operation_id="report_retrieve", responses=shapes.Report)
    def get(self, request, slug):
        proposal = public_proposal(slug)
        report = get_object_or_404(ResponseReport, proposal=proposal, state=ReportState.PUBLISHED)
        published = {
            "consultation": proposal.slug,
            "published_at": report.published_at,
            "sha256": report.snapshot_sha256,
            "snapshot": snapshot_shown(report),
            "downloads": {
                fmt: request.build_absolute_uri(url)
                for fmt, url in report_downloads(proposal).items()
            },
        }
        return Response(shapes.Report(published).data)
