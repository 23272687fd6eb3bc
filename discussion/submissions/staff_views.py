"""The staff's way in to entering responses received outside the website:
the consultations with a published response form that an official or a
data entry clerk of their department may enter responses for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from consult.accounts.models import Department, Role, User
from consult.accounts.roles import department_ids_for_role
from discussion.submissions.models import ResponseStatus
from proposals.models import Proposal, Status
from proposals.questionnaire.models import FormQuestion
from proposals.questionnaire.selectors import entry_url

NOT_ENTRY_STAFF = _(
    "Only officials and data entry clerks can enter responses received by post, email, "
    "phone or at a meeting."
)
# The states in which discussion.submissions.services.response_enter takes an entry.
TAKING_ENTRIES = (Status.OPEN, Status.CLOSED)


def entry_departments(user: User) -> QuerySet[Department]:
    """Where the person enters responses: as an official or a clerk, there
    and below (the rule of services.can_enter_for)."""
    official = department_ids_for_role(user=user, role=Role.OFFICIAL)
    clerk = department_ids_for_role(user=user, role=Role.CLERK)
    return Department.objects.filter(Q(pk__in=official) | Q(pk__in=clerk))


def proposals_for_entry(departments: QuerySet[Department]) -> QuerySet[Proposal]:
    """Open or closed consultations of `departments` whose response form is
    published, each with how many responses staff entered, in one query."""
    published = FormQuestion.objects.filter(proposal=OuterRef("pk"), published_in__isnull=False)
    entered = Q(
        form_responses__entered_by__isnull=False,
        form_responses__status=ResponseStatus.SUBMITTED,
    )
    return (
        Proposal.objects.filter(department__in=departments, archived=False)
        .with_effective_status()
        .filter(live_status__in=TAKING_ENTRIES)
        .filter(Exists(published))
        .select_related("department")
        .annotate(entered=Count("form_responses", filter=entered))
        .order_by("-closes_at", "pk")
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def form_entry_list(request: HttpRequest) -> HttpResponse:
    departments = entry_departments(request.user)
    if not departments.exists():
        raise PermissionDenied(NOT_ENTRY_STAFF)
    rows = [(p, entry_url(p.slug)) for p in proposals_for_entry(departments)]
    return render(request, "discussion/submissions/entry_list.html", {"rows": rows})
