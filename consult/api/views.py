"""The endpoints: thin. Reads go through consult.opendata.public, writes
through the same services and limits as the web pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response
from taggit.models import Tag

from consult.accounts.models import Department
from consult.api import serializers as shapes
from consult.api.base import ApiView
from consult.api.models import AccessToken
from consult.api.pagination import Cursor
from consult.opendata import public
from consult.opendata.pseudonyms import Kind, Pseudonyms
from consult.reports import services as report_services
from consult.reports import views as report_views
from consult.reports.models import ReportState, ResponseReport
from discussion.comments import places as discussion_places
from discussion.comments import selectors as discussion_selectors
from discussion.comments import services as discussion_services
from discussion.models import Comment, ConsultationQuestion
from proposals import services as proposal_services
from proposals.models import PUBLIC_STATUSES, Proposal, Section, StanceValue, Status

READ_ONLY_TOKEN = _(
    "This token may only read. Make a token that may write in your account to do this."
)
STATUS_INVALID = _("status must be one of: %(choices)s.")
WHEN_INVALID = _("updated_since must be a date and time such as 2026-11-01T09:00:00Z (ISO 8601).")
NUMBER_INVALID = _("%(name)s must be a whole number.")


# --- shaping rows ------------------------------------------------------------------------


def _named(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name}


def _links(proposal: Proposal, request) -> dict:
    slug = proposal.slug
    api = request.build_absolute_uri

    def link(name):
        return api(reverse(f"api:{name}", args=[slug]))

    return {
        "html": api(proposal.get_absolute_url()),
        "comments": link("comments"),
        "responses": link("responses"),
        "stances": link("stances"),
        "versions": link("versions"),
        "report": link("report") if proposal.status == Status.REPORT_PUBLISHED else None,
    }


def _consultation(proposal: Proposal, request) -> dict:
    return {
        "slug": proposal.slug,
        "title": proposal.title,
        "summary": proposal.summary,
        "status": getattr(proposal, "live_status", None) or proposal.effective_status(),
        "department": _named(proposal.department),
        "jurisdiction": _named(proposal.jurisdiction),
        "topics": sorted(tag.name for tag in proposal.tags.all()),
        "opens_at": proposal.opens_at,
        "closes_at": proposal.closes_at,
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        "current_version": proposal.current_version.number,
        "archived": proposal.archived,
        "origin": proposal.origin,
        "links": _links(proposal, request),
    }


def _section_text(row) -> dict:
    return {
        "section": row.section_id,
        "order": row.order,
        "heading": row.heading,
        "body": row.body,
        "body_html": row.body_html,
    }


def _version_brief(version) -> dict:
    return {
        "number": version.number,
        "published_at": version.published_at,
        "change_note": version.change_note,
    }


def _votes(comment: Comment) -> dict:
    return {
        "agree": comment.agree_count,
        "disagree": comment.disagree_count,
        "pass": comment.pass_count,
    }


def _comment(comment: Comment, *, slug: str, authors: Pseudonyms, request) -> dict:
    return {
        "id": comment.pk,
        "consultation": slug,
        "section": comment.section_id,
        "question": comment.question_id,
        "parent": comment.parent_id,
        "thread": comment.root_id or comment.pk,
        "depth": comment.depth,
        "author": authors(comment.author_id),
        "version": comment.version.number if comment.version_id else None,
        "body": comment.body,
        "body_html": comment.body_html,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "votes": _votes(comment),
        "themes": discussion_selectors.theme_names(comment),
        "responses": sorted(r.pk for r in comment.official_responses.all()),
        "url": request.build_absolute_uri(comment.get_absolute_url()),
    }


def _comments_queryset(proposal: Proposal):
    return discussion_selectors.with_themes(
        public.comments(proposal).select_related("version").prefetch_related("official_responses")
    )


def _public_proposal(slug: str) -> Proposal:
    return get_object_or_404(public.proposals().prefetch_related("tags"), slug=slug)


def _when(raw: str):
    """An ISO 8601 date and time (UTC when it names no zone), or a 400."""
    try:
        when = parse_datetime(raw) if raw.isascii() else None
        if when is not None:
            if timezone.is_naive(when):
                when = timezone.make_aware(when, timezone.UTC)
            when.astimezone(timezone.UTC)  # a year past 9999 once in UTC
    except (ValueError, OverflowError):
        when = None
    if when is None:
        raise ValidationError({"updated_since": [WHEN_INVALID]})
    return when


def _whole_number(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: [NUMBER_INVALID % {"name": name}]})
    return int(raw)


# --- reads -------------------------------------------------------------------------------


class NewestFirst(Cursor):
    ordering = "-id"


class Consultations(ApiView):
    pagination_class = NewestFirst
    filters = ("status", "topic", "department", "updated_since")

    @extend_schema(
        operation_id="consultations_list",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[s for s in Status.values if s != Status.DRAFT],
                description="As of now.",
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
        wanted = request.query_params.get("status")
        if wanted is not None:
            allowed = [s for s in Status.values if s != Status.DRAFT]
            if wanted not in allowed:
                raise ValidationError(
                    {"status": [STATUS_INVALID % {"choices": ", ".join(allowed)}]}
                )
            qs = qs.filter(live_status=wanted)
        topic = request.query_params.get("topic")
        if topic is not None:
            qs = qs.filter(tags__slug=topic)
        department = request.query_params.get("department")
        if department is not None:
            found = Department.objects.filter(slug=department).first()
            qs = qs.filter(department__path__startswith=found.path) if found else qs.none()
        since = request.query_params.get("updated_since")
        if since is not None:
            qs = qs.filter(updated_at__gte=_when(since))
        page = self.paginate_queryset(qs.distinct())
        return self.get_paginated_response([_consultation(p, request) for p in page])


class ConsultationDetail(ApiView):
    @extend_schema(operation_id="consultations_retrieve", responses=shapes.ConsultationDetail)
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        data = _consultation(proposal, request)
        data.update(
            responsible_office=proposal.responsible_office,
            questions=[
                {"id": q.pk, "prompt": q.prompt}
                for q in ConsultationQuestion.objects.filter(proposal=proposal).order_by(
                    "order", "pk"
                )
            ],
            versions=[_version_brief(v) for v in public.versions(proposal)],
            sections=[_section_text(s) for s in public.sections(proposal.current_version_id)],
        )
        return Response(data)


class Versions(ApiView):
    @extend_schema(operation_id="versions_list", responses=shapes.Version(many=True))
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        versions = list(public.versions(proposal))
        texts: dict[int, list] = {}
        for row in public.sections_of(proposal):
            texts.setdefault(row.version_id, []).append(_section_text(row))
        return Response([{**_version_brief(v), "sections": texts.get(v.pk, [])} for v in versions])


class Comments(ApiView):
    pagination_class = Cursor
    filters = ("section", "thread")

    @extend_schema(
        operation_id="comments_list",
        parameters=[
            OpenApiParameter("section", int, description="Only comments on this section."),
            OpenApiParameter("thread", int, description="Only this thread."),
        ],
        responses=shapes.Comment(many=True),
    )
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        qs = _comments_queryset(proposal)
        section = _whole_number(request, "section")
        if section is not None:
            qs = qs.filter(section_id=section)
        thread = _whole_number(request, "thread")
        if thread is not None:
            qs = qs.filter(root_id=thread)
        page = self.paginate_queryset(qs)
        authors = Pseudonyms(proposal.pk, Kind.AUTHOR)
        return self.get_paginated_response(
            [_comment(c, slug=proposal.slug, authors=authors, request=request) for c in page]
        )

    @extend_schema(
        operation_id="comments_create",
        request=shapes.CommentCreate,
        responses={201: shapes.CommentPosted, 202: shapes.CommentPosted},
    )
    def post(self, request, slug):
        actor = _writer(request)
        proposal = _public_proposal(slug)
        given = shapes.CommentCreate(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        place = discussion_places.comment_place(
            proposal=proposal,
            section_id=data.get("section"),
            question_id=data.get("question"),
            parent_id=data.get("parent"),
        )
        comment = discussion_services.comment_submit(
            actor=actor,
            ip=request.META.get("REMOTE_ADDR"),
            proposal=proposal,
            body=data["body"],
            place=place,
        )
        if comment.is_held:
            return Response(
                {"id": comment.pk, "state": "held", "comment": None}, status=http.HTTP_202_ACCEPTED
            )
        shown = _comments_queryset(proposal).get(pk=comment.pk)
        authors = Pseudonyms(proposal.pk, Kind.AUTHOR)
        return Response(
            {
                "id": comment.pk,
                "state": "published",
                "comment": _comment(shown, slug=proposal.slug, authors=authors, request=request),
            },
            status=http.HTTP_201_CREATED,
        )


class CommentDetail(ApiView):
    @extend_schema(operation_id="comments_retrieve", responses=shapes.Comment)
    def get(self, request, pk):
        comment = get_object_or_404(
            Comment.objects.filter(proposal__in=public.proposals()).select_related("proposal"),
            pk=pk,
        )
        shown = get_object_or_404(_comments_queryset(comment.proposal), pk=pk)
        authors = Pseudonyms(comment.proposal_id, Kind.AUTHOR)
        return Response(
            _comment(shown, slug=comment.proposal.slug, authors=authors, request=request)
        )


class Vote(ApiView):
    @extend_schema(
        operation_id="comments_vote", request=shapes.VoteCast, responses=shapes.VoteRecorded
    )
    def put(self, request, pk):
        actor = _writer(request)
        comment = get_object_or_404(
            Comment.objects.filter(
                proposal__in=public.proposals(),
                is_deleted=False,
                hidden_at__isnull=True,
                held_at__isnull=True,
            ),
            pk=pk,
        )
        given = shapes.VoteCast(data=request.data)
        given.is_valid(raise_exception=True)
        vote = discussion_services.vote_submit(
            actor=actor,
            ip=request.META.get("REMOTE_ADDR"),
            comment=comment,
            value=given.validated_data["value"],
        )
        comment.refresh_from_db(fields=["agree_count", "disagree_count", "pass_count"])
        return Response({"comment": comment.pk, "value": vote.value, "votes": _votes(comment)})


class Stances(ApiView):
    @extend_schema(operation_id="stances_retrieve", responses=shapes.Stances)
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        counts = public.stance_counts(proposal)

        def tally(values: dict[str, int]) -> dict:
            row = {value: values.get(value, 0) for value in StanceValue.values}
            return {**row, "total": sum(row.values())}

        return Response(
            {
                "consultation": proposal.slug,
                "proposal": tally(counts.get(None, {})),
                "sections": [
                    {
                        "section": s.section_id,
                        "heading": s.heading,
                        **tally(counts.get(s.section_id, {})),
                    }
                    for s in public.sections(proposal.current_version_id)
                ],
            }
        )


class Stance(ApiView):
    @extend_schema(
        operation_id="stances_cast", request=shapes.StanceCast, responses=shapes.StanceRecorded
    )
    def put(self, request, slug):
        actor = _writer(request)
        proposal = _public_proposal(slug)
        given = shapes.StanceCast(data=request.data)
        given.is_valid(raise_exception=True)
        section = None
        if given.validated_data.get("section"):
            section = Section.objects.filter(
                pk=given.validated_data["section"], proposal=proposal
            ).first()
            if section is None:
                raise ValidationError({"section": [discussion_places.SECTION_ELSEWHERE]})
        stance = proposal_services.stance_cast(
            actor=actor, proposal=proposal, value=given.validated_data["value"], section=section
        )
        return Response(
            {
                "consultation": proposal.slug,
                "section": section and section.pk,
                "value": stance.value,
            }
        )


class Responses(ApiView):
    pagination_class = Cursor

    @extend_schema(operation_id="responses_list", responses=shapes.Response(many=True))
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        shown = public.comments(proposal)
        qs = (
            public.responses(proposal)
            .select_related("department", "changed_version")
            .prefetch_related(Prefetch("comments", queryset=shown.only("pk"), to_attr="shown"))
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            [
                {
                    "id": r.pk,
                    "consultation": proposal.slug,
                    "department": _named(r.department),
                    "status": r.status,
                    "explanation": r.explanation,
                    "explanation_html": r.explanation_html,
                    "comments": sorted(c.pk for c in r.shown),
                    "section": r.section_id,
                    "section_heading": r.section_heading,
                    "theme": r.theme_name,
                    "changed_version": r.changed_version.number if r.changed_version_id else None,
                    "changed_section": r.changed_section_id,
                    "created_at": r.created_at,
                }
                for r in page
            ]
        )


class Report(ApiView):
    @extend_schema(operation_id="report_retrieve", responses=shapes.Report)
    def get(self, request, slug):
        proposal = _public_proposal(slug)
        report = get_object_or_404(ResponseReport, proposal=proposal, state=ReportState.PUBLISHED)
        return Response(
            {
                "consultation": proposal.slug,
                "published_at": report.published_at,
                "sha256": report.snapshot_sha256,
                "snapshot": report_services.snapshot_shown(report),
                "downloads": {
                    fmt: request.build_absolute_uri(url)
                    for fmt, url in report_views.downloads(proposal).items()
                },
            }
        )


class Departments(ApiView):
    @extend_schema(operation_id="departments_list", responses=shapes.Department(many=True))
    def get(self, request):
        return Response(
            [
                {
                    "slug": d.slug,
                    "name": d.name,
                    "jurisdiction": d.jurisdiction.slug,
                    "parent": d.parent.slug if d.parent_id else None,
                }
                for d in Department.objects.select_related("jurisdiction", "parent")
            ]
        )


class Topics(ApiView):
    @extend_schema(operation_id="topics_list", responses=shapes.Named(many=True))
    def get(self, request):
        tags = Tag.objects.filter(proposal__status__in=PUBLIC_STATUSES).distinct().order_by("name")
        return Response([_named(tag) for tag in tags])


class MeView(ApiView):
    private = True

    @extend_schema(operation_id="me_retrieve", responses=shapes.Me)
    def get(self, request):
        token = request.auth
        if not isinstance(token, AccessToken):
            raise NotAuthenticated()
        return Response(
            {
                "display_name": request.user.display_name,
                "token": token.prefix,
                "token_name": token.name,
                "can_write": token.can_write,
                "expires_at": token.expires_at,
            }
        )


def _writer(request):
    """The token's owner, if the token may write."""
    token = request.auth
    if not isinstance(token, AccessToken):
        raise NotAuthenticated()
    if not token.can_write:
        raise PermissionDenied(READ_ONLY_TOKEN)
    return request.user


class Index(ApiView):
    @extend_schema(operation_id="index", responses=shapes.Index)
    def get(self, request):
        def at(name):
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "version": "1",
                "docs": at("api:docs"),
                "schema": at("api:schema"),
                "consultations": at("api:consultations"),
                "departments": at("api:departments"),
                "topics": at("api:topics"),
                "open_data": at("opendata:index"),
            }
        )
