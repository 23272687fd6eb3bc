"""The respondent's form page and the staff entry page of a consultation's
response form.

Both work without JavaScript. A refused form comes back whole, as it was
typed, with each message by its field and a summary at the top; nothing is
written unless the service accepts everything. Conditional questions are
hidden by a small stylesheet of `:has()` rules (`form_conditions`) until
their condition holds; the service drops an answer whose condition does not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from consult.infra.ratelimit import RateLimited
from consult.infra.refusals import refusal_by_field, refusal_text
from discussion.access import fresh_actor
from discussion.comments import limits
from discussion.submissions import documents, forms, services
from discussion.submissions.answers import clean_answers
from discussion.submissions.models import (
    OFFLINE_CHANNELS,
    Channel,
    FormAnswer,
    FormResponse,
    OrganisationType,
    Publication,
    RespondentKind,
)
from proposals.access import access_proposal
from proposals.models import Proposal, Status
from proposals.questionnaire.models import FormQuestion
from proposals.questionnaire.selectors import published_questions

NOT_TAKING = gettext_lazy("This form is not taking responses: the consultation is %(status)s.")
FORM = "discussion/submissions/form.html"
ENTRY = "discussion/submissions/entry.html"
CHOOSE_AGAIN = gettext_lazy(
    "Choose the documents again: a browser does not keep them when a form comes back."
)


def form_questions(proposal: Proposal) -> list[FormQuestion]:
    """The published questions with their sections, in one query."""
    return list(published_questions(proposal))


def _mine(proposal: Proposal, user) -> FormResponse | None:
    return (
        FormResponse.objects.filter(proposal=proposal, respondent=user)
        .prefetch_related(
            Prefetch("answers", queryset=FormAnswer.objects.select_related("question")),
            "documents",
        )
        .first()
    )


def _taking(proposal: Proposal, questions: list, statuses: tuple[str, ...]) -> str:
    """Why the form takes nothing now ("" when it does)."""
    if not questions:
        return str(services.NO_FORM)
    status = proposal.effective_status()
    if proposal.archived or status not in statuses:
        if statuses == (Status.OPEN,):
            return str(NOT_TAKING % {"status": proposal.get_effective_status_display().lower()})
        return str(services.NOT_TAKING_ENTRIES)
    return ""


def _choices_context() -> dict:
    return {
        "respondent_kinds": RespondentKind.choices,
        "organisation_types": OrganisationType.choices,
        "publications": Publication.choices,
        "document_max": documents.max_bytes(),
        "documents_max": documents.max_documents(),
    }


def _page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The form with what was typed, each message by its field and the summary."""
    questions = context.pop("questions")
    errors = context.get("errors", {})
    groups = forms.question_groups(questions, context["typed"], errors)
    context.update(
        groups=groups,
        summary=forms.error_summary(errors, groups),
        has_conditions=any(q.shown_if_id for q in questions),
        **_choices_context(),
    )
    return render(request, template, context, status=status)


def _dry_errors(questions, raw, uploads, *, complete: bool, scan: bool = False, already=0):
    """The messages the service would give, for a form the page refused
    before asking it: nothing is written."""
    _answers, messages_by_field = clean_answers(questions, raw, complete=complete)
    found = {key: [message] for key, message in messages_by_field.items()}
    field = "scans" if scan else "documents"
    try:
        documents.check_uploads(list(uploads), already=already, scan=scan, field=field)
    except ValidationError as error:
        found.update(refusal_by_field(error))
    return found


def _refused(errors: dict[str, list[str]], uploads) -> dict[str, list[str]]:
    if uploads and "documents" not in errors and "scans" not in errors:
        errors["__all__"] = [*errors.get("__all__", []), str(CHOOSE_AGAIN)]
    return errors


@require_http_methods(["GET", "HEAD", "POST"])
def response_form(request: HttpRequest, slug: str) -> HttpResponse:
    """A person's response: shown, saved as a draft, submitted, changed."""
    proposal = access_proposal(request.user, slug=slug)
    questions = form_questions(proposal)
    posted = request.method == "POST"
    context = {"proposal": proposal, "questions": questions}
    why = _taking(proposal, questions, (Status.OPEN,))
    if why or not request.user.is_authenticated:
        context.update(closed=why, sign_in=not why, typed=forms.Typed())
        if why and request.user.is_authenticated:
            context["mine"] = FormResponse.objects.filter(
                proposal=proposal, respondent=request.user
            ).first()
        return _page(request, FORM, context, status=(400 if why else 403) if posted else 200)
    try:
        fresh_actor(request.user)
    except PermissionDenied as error:
        context.update(blocked=refusal_text(error), typed=forms.Typed())
        return _page(request, FORM, context, status=403 if posted else 200)
    mine = _mine(proposal, request.user)
    context.update(mine=mine, can_enter=services.can_enter_for(request.user, proposal))
    if posted:
        return _save(request, proposal, context, mine)
    context["typed"] = forms.typed_from(mine)
    return _page(request, FORM, context)


def _save(request, proposal: Proposal, context: dict, mine: FormResponse | None) -> HttpResponse:
    questions = context["questions"]
    typed = forms.read_typed(request.POST, questions)
    submit = request.POST.get("action") == "submit"
    uploads = request.FILES.getlist("documents")
    raw, errors = forms.raw_answers(typed, questions)
    try:
        limits.check("form_response", user=request.user, ip=request.META.get("REMOTE_ADDR"))
        if errors:
            already = len(mine.documents.all()) if mine else 0
            found = _dry_errors(questions, raw, uploads, complete=submit, already=already)
            raise ValidationError(found | errors)
        response = services.response_save(
            actor=request.user,
            proposal=proposal,
            respondent=typed.respondent(),
            answers=raw,
            submit=submit,
            uploads=uploads,
        )
    except ValidationError as error:
        context.update(typed=typed, errors=_refused(refusal_by_field(error), uploads))
        return _page(request, FORM, context, status=400)
    except RateLimited as error:  # before PermissionDenied, which it is
        context.update(typed=typed, errors={"__all__": [str(error.message)]})
        return _page(request, FORM, context, status=429)
    except PermissionDenied as error:
        context.update(blocked=refusal_text(error), typed=typed)
        return _page(request, FORM, context, status=403)
    if submit:
        messages.success(
            request,
            _("Response submitted (submission %(number)d) — a copy has been emailed to you.")
            % {"number": response.revision},
        )
    else:
        messages.success(request, _("Draft saved."))
    return redirect(reverse("discussion:form", args=[proposal.slug]) + "#response-state")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def response_entry(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff enter a response that arrived by post, email, phone or at a meeting."""
    proposal = access_proposal(
        request.user, slug=slug, may=services.can_enter_for, refusal=services.NOT_ENTRY_STAFF
    )
    questions = form_questions(proposal)
    context = {
        "proposal": proposal,
        "questions": questions,
        "channels": [(c.value, c.label) for c in OFFLINE_CHANNELS],
        "typed": forms.Typed(respondent_kind="individual"),
    }
    why = _taking(proposal, questions, (Status.OPEN, Status.CLOSED))
    if why:
        context["closed"] = why
        status = 400 if request.method == "POST" else 200
        return _page(request, ENTRY, context, status=status)
    if request.method == "POST":
        return _enter(request, proposal, context)
    return _page(request, ENTRY, context)


def _enter(request, proposal: Proposal, context: dict) -> HttpResponse:
    questions = context["questions"]
    typed = forms.read_typed(request.POST, questions)
    entry, errors = typed.entry()
    raw, more = forms.raw_answers(typed, questions)
    errors |= more
    scans = request.FILES.getlist("scans")
    try:
        if errors:
            found = _dry_errors(questions, raw, scans, complete=False, scan=True)
            raise ValidationError(found | errors)
        response = services.response_enter(
            actor=request.user,
            proposal=proposal,
            entry=entry,
            respondent=typed.respondent(),
            answers=raw,
            scans=scans,
        )
    except ValidationError as error:
        context.update(typed=typed, errors=_refused(refusal_by_field(error), scans))
        return _page(request, ENTRY, context, status=400)
    messages.success(
        request,
        _("Response entered (%(channel)s, received %(date)s).")
        % {
            "channel": Channel(response.channel).label.lower(),
            "date": formats.date_format(response.received_on, "DATE_FORMAT"),
        },
    )
    return redirect("discussion:form-entry", proposal.slug)


@require_safe
def form_conditions(request: HttpRequest, slug: str) -> HttpResponse:
    """The stylesheet that hides each conditional question until its
    condition holds (a page's own rules: the site allows no inline style)."""
    proposal = access_proposal(request.user, slug=slug)
    rules = forms.condition_rules(form_questions(proposal))
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
