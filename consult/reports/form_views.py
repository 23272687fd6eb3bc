"""The officials' list of the form responses behind a figure of the summary
(consult.reports.report.form_evidence has the keys)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from consult.reports import rules
from consult.reports.models import RunState, SummaryRun
from consult.reports.report import form_evidence
from discussion.submissions.answers import plain
from discussion.submissions.models import Channel, FormAnswer, FormResponse, RespondentKind
from proposals.access import access_proposal
from proposals.models import Proposal

OFFICIALS_ONLY = gettext_lazy(
    "Only officials of this consultation's department can read the responses to its form."
)
ENTERED_FROM = {
    Channel.POST: gettext_lazy("Entered by staff from a letter received %(date)s"),
    Channel.EMAIL: gettext_lazy("Entered by staff from an email received %(date)s"),
    Channel.PHONE: gettext_lazy("Entered by staff from a phone call received %(date)s"),
    Channel.MEETING: gettext_lazy("Entered by staff from a meeting held %(date)s"),
}


def entered_from(response: FormResponse) -> str:
    """How a response entered by staff arrived, in words ("" for the website's)."""
    if not response.is_entered:
        return ""
    template = ENTERED_FROM.get(response.channel, ENTERED_FROM[Channel.POST])
    when = date_format(response.received_on, "j M Y") if response.received_on else "?"
    return str(template) % {"date": when}


def answer_shown(answer: FormAnswer) -> str:
    """An answer as an official reads it: the labels picked (a ranking
    numbered in order), the number, or the words."""
    question = answer.question
    if question.kind == "ranking":
        return ", ".join(
            f"{place}. {question.label_of(key)}" for place, key in enumerate(answer.choices, 1)
        )
    if question.has_choices:
        return ", ".join(question.label_of(key) for key in answer.choices)
    if answer.number is not None:
        return plain(answer.number)
    return answer.text


def _latest_result(proposal: Proposal) -> dict | None:
    run = SummaryRun.objects.filter(proposal=proposal, state=RunState.DONE).only("result").first()
    return run.result if run else None


@login_required
@require_safe
def form_responses(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(
        request.user,
        slug=slug,
        queryset=Proposal.objects.select_related("department"),
        may=rules.can_run_summary,
        refusal=OFFICIALS_ONLY,
    )
    filters = form_evidence.filters_from(proposal, request.GET)
    if filters is None:
        raise Http404
    needs_summary = filters.campaign is not None or filters.suggested is not None
    result = _latest_result(proposal) if needs_summary else None
    ids = form_evidence.response_ids(proposal, filters, result)
    if ids is None:
        raise Http404
    page = Paginator(ids, form_evidence.PAGE_SIZE).get_page(request.GET.get("page"))
    responses = form_evidence.responses_page(list(page.object_list))
    rows = [
        {
            "response": response,
            "entered_from": entered_from(response),
            "answers": [(a.question.prompt, answer_shown(a), a) for a in response.answers.all()],
        }
        for response in responses
    ]
    return render(
        request,
        "reports/form_responses.html",
        {
            "proposal": proposal,
            "title": form_evidence.title_of(filters),
            "count": len(ids),
            "page": page,
            "rows": rows,
            "query": filters.query(),
            "filters": filters,
            "kinds": RespondentKind.choices,
            "channels": Channel.choices,
            "back": reverse("reports:summary", args=[proposal.slug]),
            "empty_title": _("No response is behind this figure."),
        },
    )
