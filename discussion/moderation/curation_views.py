"""Moderators' curation, sanctions and appeals through plain forms: each posts,
calls one service, and comes back with a message (no JavaScript needed)."""

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
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.accounts.models import User
from discussion import rules
from discussion.comments.views import _visible_comment
from discussion.models import Appeal, AppealOutcome, Comment, ReportReason
from discussion.moderation import appeals, curation, sanctions

PERSON_PAGE_SIZE = 25
HISTORY_SHOWN = 50


def _messages_of(error: Exception) -> list[str]:
    return list(getattr(error, "messages", [str(error)]))


def _take_over(request: HttpRequest) -> bool:
    return request.POST.get("take_over") == "1"


def _comment_action(service: Callable, success: str, **fields: str) -> Callable:
    """A plain-form view for one curation service: `fields` maps the service's
    keyword arguments to the names of the posted fields."""

    @require_POST
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        comment = _visible_comment(request, pk)
        values = {name: request.POST.get(field, "") for name, field in fields.items()}
        try:
            service(actor=request.user, comment=comment, take_over=_take_over(request), **values)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(_messages_of(error)))
        else:
            messages.success(request, success)
        return redirect(comment.url_in_context())

    view.__name__ = view.__qualname__ = service.__name__
    return view


comment_highlight = _comment_action(
    curation.comment_highlight,
    gettext_lazy("The comment is highlighted: readers see it marked as constructive."),
    reason="reason",
)
comment_unhighlight = _comment_action(
    curation.comment_unhighlight, gettext_lazy("The highlight is removed."), reason="reason"
)
comment_pin = _comment_action(
    curation.comment_pin,
    gettext_lazy("The comment is pinned at the top of its discussion."),
    reason="reason",
)
comment_unpin = _comment_action(
    curation.comment_unpin, gettext_lazy("The comment is unpinned."), reason="reason"
)
comment_theme_add = _comment_action(
    curation.comment_theme_add, gettext_lazy("The theme is added."), name="theme"
)
comment_theme_remove = _comment_action(
    curation.comment_theme_remove, gettext_lazy("The theme is removed."), name="theme"
)
comment_duplicate = _comment_action(
    curation.comment_mark_duplicate,
    gettext_lazy("The comment is marked as similar to an earlier comment. It stays visible."),
    original="original",
    reason="reason",
)
comment_unduplicate = _comment_action(
    curation.comment_unmark_duplicate,
    gettext_lazy("The comment is no longer marked as similar to another."),
    reason="reason",
)


# --- appeals --------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's appeal against the hiding of their comment, or where it stands."""
    comment = _visible_comment(request, pk)
    if comment.author_id != request.user.pk:
        raise Http404
    errors, note = [], ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        try:
            appeals.appeal_create(actor=request.user, comment=comment, note=note)
        except (ValidationError, PermissionDenied) as error:
            errors = _messages_of(error)
        else:
            messages.success(
                request,
                _(
                    "Your appeal is sent. A moderator other than the one who hid the comment "
                    "will decide, and you will be told."
                ),
            )
            return redirect(comment.url_in_context())
    context = {
        "comment": comment,
        "appeal": Appeal.objects.filter(comment=comment).first(),
        "errors": errors,
        "note": note,
        "note_limit": appeals.NOTE_LIMIT,
    }
    return render(
        request, "discussion/moderation/appeal.html", context, status=400 if errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator's page for deciding an appeal: the hidden words, why they
    were hidden, the author's note, and the decision."""
    comment = _visible_comment(request, pk)
    if not rules.can_moderate(request.user, comment.proposal):
        raise PermissionDenied
    errors, values = [], {"outcome": "", "note": ""}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        try:
            decided = appeals.appeal_decide(
                actor=request.user,
                comment=comment,
                outcome=values["outcome"],
                note=values["note"],
                take_over=_take_over(request),
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _messages_of(error)
        else:
            if decided.outcome == AppealOutcome.RESTORED:
                messages.success(request, _("The comment is restored and its author is told."))
            else:
                messages.success(request, _("The hiding is upheld and the author is told."))
            return redirect("discussion:appeal-decide", pk=comment.pk)
    comment = Comment.objects.select_related("proposal", "author", "hidden_by").get(pk=comment.pk)
    context = {
        "comment": comment,
        "appeal": Appeal.objects.select_related("author", "hidden_by", "decided_by")
        .filter(comment=comment)
        .first(),
        "own_hiding": request.user.pk == comment.hidden_by_id,
        "outcomes": AppealOutcome.choices,
        "errors": errors,
        "values": values,
        "decision_limit": appeals.DECISION_LIMIT,
    }
    return render(
        request, "discussion/moderation/appeal_decide.html", context, status=400 if errors else 200
    )


# --- a person, and sanctions ------------------------------------------------------


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
            request, person, form=form, errors=_messages_of(error), values=values, status=400
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
