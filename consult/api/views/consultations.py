"""Consultations, their versions, and the lists beside them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from taggit.models import Tag

from consult.accounts.models import Department
from consult.api import serializers as shapes
from consult.api.base import ApiView
from consult.api.pagination import Cursor
from consult.api.views.shared import public_proposal, when
from consult.opendata import public
from discussion.models import ConsultationQuestion
from proposals.models import PUBLIC_STATUSES

STATUS_INVALID = _("status must be one of: %(choices)s.")


class Index(ApiView):
    @extend_schema(operation_id="index", responses=shapes.Index)
    def get(self, request):
        def at(name):
            return request.build_absolute_uri(reverse(name))

        index = {
            "version": "1",
            "docs": at("api:docs"),
            "schema": at("api:schema"),
            "consultations": at("api:consultations"),
            "departments": at("api:departments"),
            "topics": at("api:topics"),
            "open_data": at("opendata:index"),
        }
        return Response(shapes.Index(index).data)


class NewestFirst(Cursor):
    ordering = "-id"


class Consultations(ApiView):
    pagination_class = NewestFirst
    filters = ("status", "topic", "department", "updated_since")

    @extend_schema(
        operation_id="consultations_list",
        parameters=[
            OpenApiParameter(
                "status", str, enum=shapes.CONSULTATION_STATUSES, description="As of now."
            ),
            OpenApiParameter("topic", str, description="A topic's slug."),
            OpenApiParameter(
                "department", str, description="A department's slug; its sub-departments too."
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only consultations whose record changed at or after this time.",
            ),
        ],
        responses=shapes.Consultation(many=True),
    )
    def get(self, request):
        qs = (
            public.proposals()
            .with_effective_status()
            .select_related("current_version")
            .prefetch_related("tags")
        )
        page = self.paginate_queryset(self.filtered(qs, request.query_params).distinct())
        listed = shapes.Consultation(page, many=True, context={"request": request})
        return self.get_paginated_response(listed.data)

    @staticmethod
    def filtered(qs, params):
        wanted = params.get("status")
        if wanted is not None:
            allowed = shapes.CONSULTATION_STATUSES
            if wanted not in allowed:
                raise ValidationError(
                    {"status": [STATUS_INVALID % {"choices": ", ".join(allowed)}]}
                )
            qs = qs.filter(live_status=wanted)
        topic = params.get("topic")
        if topic is not None:
            qs = qs.filter(tags__slug=topic)
        department = params.get("department")
        if department is not None:
            found = Department.objects.filter(slug=department).first()
            qs = qs.filter(department__path__startswith=found.path) if found else qs.none()
        since = params.get("updated_since")
        if since is not None:
            qs = qs.filter(updated_at__gte=when(since))
        return qs


class ConsultationDetail(ApiView):
    @extend_schema(operation_id="consultations_retrieve", responses=shapes.ConsultationDetail)
    def get(self, request, slug):
        proposal = public_proposal(slug)
        context = {
            "request": request,
            "questions": ConsultationQuestion.objects.filter(proposal=proposal).order_by(
                "order", "pk"
            ),
            "versions": public.versions(proposal),
            "sections": public.sections(proposal.current_version_id),
        }
        return Response(shapes.ConsultationDetail(proposal, context=context).data)


class Versions(ApiView):
    @extend_schema(operation_id="versions_list", responses=shapes.Version(many=True))
    def get(self, request, slug):
        proposal = public_proposal(slug)
        versions = list(public.versions(proposal))
        texts: dict[int, list] = {}
        for row in public.sections_of(proposal):
            texts.setdefault(row.version_id, []).append(row)
        return Response(shapes.Version(versions, many=True, context={"texts": texts}).data)


class Departments(ApiView):
    @extend_schema(operation_id="departments_list", responses=shapes.Department(many=True))
    def get(self, request):
        departments = Department.objects.select_related("jurisdiction", "parent")
        return Response(shapes.Department(departments, many=True).data)


class Topics(ApiView):
    @extend_schema(operation_id="topics_list", responses=shapes.Named(many=True))
    def get(self, request):
        tags = Tag.objects.filter(proposal__status__in=PUBLIC_STATUSES).distinct().order_by("name")
        return Response(shapes.Named(tags, many=True).data)
