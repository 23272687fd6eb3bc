"""Moderators' curation from under a comment (plain forms): highlight, pin,
themes and similar comments."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consult.infra.refusals import refuse
from discussion.access import access_comment
from discussion.moderation import curation


def _take_over(request: HttpRequest) -> bool:
    return request.POST.get("take_over") == "1"


def _comment_action(service: Callable, success: str, **fields: str) -> Callable:
    """A plain-form view for one curation service: `fields` maps the service's
    keyword arguments to the names of the posted fields."""

    @require_POST
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        comment = access_comment(request.user, pk)
        values = {name: request.POST.get(field, "") for name, field in fields.items()}
        try:
            service(actor=request.user, comment=comment, take_over=_take_over(request), **values)
        except (ValidationError, PermissionDenied) as error:
            refuse(request, error, one_line=True)
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
