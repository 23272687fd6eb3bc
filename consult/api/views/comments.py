"""Public comments: listing and reading them, posting one, voting."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.response import Response

from consult.api import serializers as shapes
from consult.api.base import ApiView
from consult.api.pagination import Cursor
from consult.api.views.shared import (
    comment_context,
    public_comments,
    public_proposal,
    whole_number,
    writer,
)
from consult.opendata import public
from discussion.comments import places as discussion_places
from discussion.comments import services as discussion_services
from discussion.models import Comment


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
        proposal = public_proposal(slug)
        qs = public_comments(proposal)
        section = whole_number(request, "section")
        if section is not None:
            qs = qs.filter(section_id=section)
        thread = whole_number(request, "thread")
        if thread is not None:
            qs = qs.filter(root_id=thread)
        page = self.paginate_queryset(qs)
        context = comment_context(request, proposal)
        return self.get_paginated_response(shapes.Comment(page, many=True, context=context).data)

    @extend_schema(
        operation_id="comments_create",
        request=shapes.CommentCreate,
        responses={201: shapes.CommentPosted, 202: shapes.CommentPosted},
    )
    def post(self, request, slug):
        actor = writer(request)
        proposal = public_proposal(slug)
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
            held = {"id": comment.pk, "state": "held", "comment": None}
            return Response(shapes.CommentPosted(held).data, status=http.HTTP_202_ACCEPTED)
        shown = public_comments(proposal).get(pk=comment.pk)
        posted = {"id": comment.pk, "state": "published", "comment": shown}
        context = comment_context(request, proposal)
        return Response(
            shapes.CommentPosted(posted, context=context).data, status=http.HTTP_201_CREATED
        )


class CommentDetail(ApiView):
    @extend_schema(operation_id="comments_retrieve", responses=shapes.Comment)
    def get(self, request, pk):
        comment = get_object_or_404(
            Comment.objects.filter(proposal__in=public.proposals()).select_related("proposal"),
            pk=pk,
        )
        shown = get_object_or_404(public_comments(comment.proposal), pk=pk)
        context = comment_context(request, comment.proposal)
        return Response(shapes.Comment(shown, context=context).data)


class Vote(ApiView):
    @extend_schema(
        operation_id="comments_vote", request=shapes.VoteCast, responses=shapes.VoteRecorded
    )
    def put(self, request, pk):
        actor = writer(request)
        comment = get_object_or_404(
            Comment.objects.public().filter(proposal__in=public.proposals()),
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
        recorded = {"comment": comment.pk, "value": vote.value, "votes": comment}
        return Response(shapes.VoteRecorded(recorded).data)
