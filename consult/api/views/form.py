"""A consultation's response form: its questions, the counts of its answers,
the responses published as their respondents chose (consult.opendata.form
says what is public), and a person's own response, saved and submitted
through the same service as the web form."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.response import Response

from consult.api import form_shapes as shapes
from consult.api.base import ApiView
from consult.api.models import AccessToken
from consult.api.pagination import Cursor
from consult.api.views.form_input import read_response
from consult.api.views.shared import public_proposal, writer
from consult.opendata import form as public_form
from consult.opendata.pseudonyms import Kind, Pseudonyms
from discussion.comments import limits
from discussion.submissions import services as submissions
from discussion.submissions.models import FormAnswer, FormResponse
from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion, QuestionKind

NO_RESPONSE = _("You have not responded to this consultation yet.")


def _questions(proposal: Proposal) -> list[FormQuestion]:
    return list(public_form.questions(proposal).select_related("published_in"))


class Form(ApiView):
    @extend_schema(operation_id="form_retrieve", responses=shapes.Form)
    def get(self, request, slug):
        proposal = public_proposal(slug)
        form = {"consultation": proposal.slug, "questions": _questions(proposal)}
        return Response(shapes.Form(form).data)


def _group_counts(question: FormQuestion, by_group: dict) -> list[dict]:
    pairs = question.choice_pairs() if question.has_choices else []
    ranking = question.kind == QuestionKind.RANKING
    groups = []
    for breakdown, group in public_form.GROUPS:
        tally = by_group[(breakdown, group)]
        choices = [
            {
                "key": key,
                "label": label,
                "count": tally.chosen[key],
                "first_place": tally.first[key] if ranking else None,
            }
            for key, label in pairs
        ]
        groups.append(
            {
                "breakdown": breakdown,
                "group": group,
                "responses": tally.responses,
                "answered": tally.answered,
                "choices": choices,
            }
        )
    return groups


class FormCounts(ApiView):
    @extend_schema(operation_id="form_counts_retrieve", responses=shapes.FormCounts)
    def get(self, request, slug):
        proposal = public_proposal(slug)
        asked = list(public_form.questions(proposal))
        sizes, tallies = public_form.cached_counts(proposal, asked)
        counted = {
            "consultation": proposal.slug,
            "responses": sizes.groups[public_form.ALL],
            "questions": [
                {
                    "question": q.pk,
                    "kind": q.kind,
                    "prompt": q.prompt,
                    "groups": _group_counts(q, tallies[q.pk]),
                }
                for q in asked
            ],
        }
        return Response(shapes.FormCounts(counted).data)


def _in_form_order():
    return FormAnswer.objects.order_by("question__order", "question_id")


class FormResponses(ApiView):
    pagination_class = Cursor

    @extend_schema(
        operation_id="form_responses_list", responses=shapes.PublishedResponse(many=True)
    )
    def get(self, request, slug):
        proposal = public_proposal(slug)
        qs = (
            public_form.published_responses(proposal)
            .select_related("version")
            .prefetch_related(Prefetch("answers", queryset=_in_form_order()))
        )
        page = self.paginate_queryset(qs)
        context = {"pseudonyms": Pseudonyms(proposal.pk, Kind.RESPONSE)}
        listed = shapes.PublishedResponse(page, many=True, context=context)
        return self.get_paginated_response(listed.data)


def _own(proposal: Proposal, user) -> FormResponse | None:
    answers = FormAnswer.objects.select_related("question").order_by(
        "question__order", "question_id"
    )
    return (
        FormResponse.objects.filter(proposal=proposal, respondent=user)
        .select_related("proposal")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .first()
    )


class OwnResponse(ApiView):
    private = True

    @extend_schema(operation_id="form_response_retrieve", responses=shapes.OwnResponse)
    def get(self, request, slug):
        if not isinstance(request.auth, AccessToken):
            raise NotAuthenticated()
        proposal = public_proposal(slug)
        found = _own(proposal, request.user)
        if found is None:
            raise NotFound(NO_RESPONSE)
        return Response(shapes.OwnResponse(found).data)

    @extend_schema(
        operation_id="form_response_save",
        request=shapes.ResponseWrite,
        responses=shapes.OwnResponse,
    )
    def post(self, request, slug):
        actor = writer(request)
        proposal = public_proposal(slug)
        sent = read_response(request.data, list(public_form.questions(proposal)))
        # The same budget as the form's page: saving drafts as one goes.
        limits.check("form_response", user=actor, ip=request.META.get("REMOTE_ADDR"))
        submissions.response_save(
            actor=actor,
            proposal=proposal,
            respondent=sent.respondent,
            answers=sent.answers,
            submit=sent.submit,
        )
        return Response(shapes.OwnResponse(_own(proposal, actor)).data)
