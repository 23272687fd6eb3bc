"""The officials' dashboard (`manage:dashboard`, routed in consult/urls.py
with the other officials' screens of proposals/manage_urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from consult.accounts.models import Role
from consult.accounts.roles import department_ids_for_role
from consult.reports import workspace


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    if not department_ids_for_role(user=request.user, role=Role.OFFICIAL).exists():
        raise PermissionDenied(_("Only officials have consultations to manage."))
    board = workspace.dashboard(user=request.user, page=request.GET.get("page"))
    return render(request, "proposals/manage/dashboard.html", {"board": board})
