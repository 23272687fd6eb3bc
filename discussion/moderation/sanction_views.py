"""A person as their moderators see them, and sanctions (plain forms):
suspend, ban, lift."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from consult.accounts.models import User
from consult.infra.refusals import refusal_messages
from discussion.models import ReportReason
from discussion.moderation import sanctions

PERSON_PAGE_SIZE = 25
HISTORY_SHOWN = 50


def _person_or_404(request: HttpRequest, pk: int) -> User:
    person = get_object_or_404(User, pk=pk)
    if not sanctions.can_sanction(request.user, person):
        # Only for those who may act on them: to anyone else there is no such page.
        raise Http404
    return person


def _history(person: User) -> list:
    entries = list(sanctions.sanction_history(person=person)[:HISTORY_SHOWN])
    for entry in entries:
        until = entry.after.get("suspended_until") if entry.action == "user.suspend" else None
        entry.until = parse_datetime(until) if until else None
    return entries


def _person_page(
    request: HttpRequest, person: User, *, form: str = "", errors=(), values=None, status=200
) -> HttpResponse:
    comments = (
        sanctions.moderated_comments(actor=request.user, person=person)
        .select_related("proposal")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(comments, PERSON_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "person": person,
        "suspended": person.sanctioned() and person.banned_at is None,
        "comments_page": page,
        "history": _history(person),
        "categories": ReportReason.choices,
        "form": form,
        "errors": list(errors),
        "values": values or {},
        "days_min": sanctions.DAYS_MIN,
        "days_max": sanctions.DAYS_MAX,
    }
    return render(request, "discussion/moderation/person.html", context, status=status)


@require_safe
@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, _person_or_404(request, pk))


def _hidden_summary(result: sanctions.Sanction) -> str:
    parts = []
    if result.hidden:
        parts.append(
            ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", result.hidden)
            % {"count": result.hidden}
        )
    if result.skipped:
        parts.append(
            ngettext(
                "%(count)d comment left alone because another moderator is handling it.",
                "%(count)d comments left alone because another moderator is handling them.",
                result.skipped,
            )
            % {"count": result.skipped}
        )
    return " ".join(parts)


def _sanction_view(request: HttpRequest, pk: int, form: str, act: Callable) -> HttpResponse:
    person = _person_or_404(request, pk)
    values = {key: request.POST.get(key, "") for key in ("days", "reason", "category", "hide")}
    try:
        message = act(person, values)
    except (ValidationError, PermissionDenied) as error:
        # The page comes back with what was typed and why it was refused.
        return _person_page(
            request, person, form=form, errors=refusal_messages(error), values=values, status=400
        )
    messages.success(request, message)
    return redirect("discussion:person", pk=person.pk)


@require_POST
@login_required
def person_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    def act(person: User, values: dict) -> str:
        result = sanctions.user_suspend(
            actor=request.user,
            person=person,
            days=values["days"],
            reason=values["reason"],
            hide_comments=values["hide"] == "1",
            category=values["category"] or ReportReason.OTHER,
        )
        until = formats.date_format(
            timezone.localtime(result.person.suspended_until), "DATETIME_FORMAT"
        )
        done = _("%(name)s is suspended until %(until)s.") % {
            "name": person.public_name,
            "until": until,
        }
        return f"{done} {_hidden_summary(result)}".strip()

    return _sanction_view(request, pk, "suspend", act)


@require_POST
@login_required
def person_ban(request: HttpRequest, pk: int) -> HttpResponse:
    def act(person: User, values: dict) -> str:
        result = sanctions.user_ban(
            actor=request.user,
            person=person,
            reason=values["reason"],
            hide_comments=values["hide"] == "1",
            category=values["category"] or ReportReason.OTHER,
        )
        done = _("%(name)s is banned.") % {"name": person.public_name}
        return f"{done} {_hidden_summary(result)}".strip()

    return _sanction_view(request, pk, "ban", act)


@require_POST
@login_required
def person_lift(request: HttpRequest, pk: int) -> HttpResponse:
    def act(person: User, values: dict) -> str:
        sanctions.user_lift(actor=request.user, person=person, reason=values["reason"])
        return _("%(name)s can take part again.") % {"name": person.public_name}

    return _sanction_view(request, pk, "lift", act)
