"""The officials' form builder: the questions of a consultation's response
form as respondents will see them, and the forms that add, change, move and
remove them. Plain forms, usable without JavaScript; each POST calls one
service of proposals.questionnaire.services, and a refusal shows its
message beside the form with what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consult.infra.refusals import refuse, refuse_on_form
from proposals import rules, selectors
from proposals.access import access_proposal
from proposals.models import Proposal
from proposals.questionnaire import selectors as form_selectors
from proposals.questionnaire import services
from proposals.questionnaire.forms import (
    QuestionForm,
    condition_sources,
    plain_number,
    question_initial,
)
from proposals.questionnaire.models import FormQuestion
from proposals.services.common import EDITABLE


def _managed(request: HttpRequest, pk: int) -> Proposal:
    # Not found and not allowed look the same: a draft's existence is not public.
    return access_proposal(
        request.user, pk=pk, queryset=selectors.proposals_for_managing(), see=rules.can_manage
    )


def _managed_question(request: HttpRequest, pk: int, question_id: int):
    """A question of the form of a consultation the person manages; a
    question of any other consultation is not found."""
    proposal = _managed(request, pk)
    question = (
        FormQuestion.objects.filter(proposal=proposal, pk=question_id)
        .select_related("shown_if", "section", "published_in")
        .first()
    )
    if question is None:
        raise Http404
    return proposal, question


def _sections(proposal: Proposal):
    return list(proposal.sections.filter(is_removed=False).order_by("order", "pk"))


def _builder_url(proposal: Proposal, question_id: int | None = None) -> str:
    url = reverse("manage:form", args=[proposal.pk])
    return f"{url}#question-{question_id}" if question_id else url


def _preview(question: FormQuestion) -> dict:
    """What the page shows of one question, as respondents will see it."""
    condition = None
    if question.shown_if is not None:
        condition = {
            "prompt": question.shown_if.prompt,
            "answers": [question.shown_if.label_of(key) for key in question.shown_if_choices],
        }
    return {
        "question": question,
        "choices": question.choice_pairs() if question.has_choices else [],
        "condition": condition,
        "low": plain_number(question.min_value),
        "high": plain_number(question.max_value),
    }


def _render_builder(
    request: HttpRequest, proposal: Proposal, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    questions = form_selectors.form_questions_for_builder(proposal)
    sections = _sections(proposal)
    if form is None:
        form = QuestionForm(
            sections=sections, earlier=condition_sources(questions), language=proposal.language
        )
    context = {
        "proposal": proposal,
        "status": proposal.effective_status(),
        "editable": proposal.effective_status() in EDITABLE and not proposal.archived,
        "items": [_preview(q) for q in questions],
        "total": len(questions),
        "unpublished": sum(q.published_in_id is None for q in questions),
        "frozen": sum(q.frozen_at is not None for q in questions),
        "form": form,
        "entry_url": form_selectors.entry_url(proposal.slug),
    }
    return render(request, "proposals/manage/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def form_builder(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_builder(request, _managed(request, pk))


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed(request, pk)
    questions = form_selectors.form_questions_for_builder(proposal)
    form = QuestionForm(
        request.POST,
        sections=_sections(proposal),
        earlier=condition_sources(questions),
        language=proposal.language,
    )
    if form.is_valid():
        try:
            question = services.question_add(
                actor=request.user, proposal=proposal, data=form.to_input()
            )
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            refuse(request, error)
            return redirect(_builder_url(proposal))
        else:
            messages.success(
                request,
                _("Question added. Respondents see it from the next version you publish."),
            )
            return redirect(_builder_url(proposal, question.pk))
    return _render_builder(request, proposal, form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    proposal, question = _managed_question(request, pk, question_id)
    questions = form_selectors.form_questions_for_builder(proposal)
    form = QuestionForm(
        request.POST or None,
        initial=question_initial(question, language=proposal.language),
        sections=_sections(proposal),
        earlier=condition_sources(questions, editing=question),
        language=proposal.language,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=request.user, question=question, data=form.to_input())
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            refuse(request, error)
            return redirect(_builder_url(proposal))
        else:
            messages.success(request, _("Question saved."))
            return redirect(_builder_url(proposal, question.pk))
    context = {
        "proposal": proposal,
        "question": question,
        "form": form,
        "editable": proposal.effective_status() in EDITABLE and not proposal.archived,
    }
    return render(
        request,
        "proposals/manage/form_question.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    proposal, question = _managed_question(request, pk, question_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.question_move(actor=request.user, question=question, direction=direction)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    return redirect(_builder_url(proposal, question.pk))


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    proposal, question = _managed_question(request, pk, question_id)
    try:
        services.question_remove(actor=request.user, question=question)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
        return redirect(_builder_url(proposal, question.pk))
    messages.success(request, _("Question removed."))
    return redirect(_builder_url(proposal))
