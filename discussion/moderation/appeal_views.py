"""Appeals (plain forms): the author's appeal against the hiding of their
comment, and a moderator's page for deciding it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consult.infra.refusals import refusal_messages
from discussion import rules
from discussion.access import access_comment
from discussion.models import Appeal, AppealOutcome, Comment
from discussion.moderation import appeals


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's appeal against the hiding of their comment, or where it stands."""
    comment = access_comment(request.user, pk)
    if comment.author_id != request.user.pk:
        raise Http404
    errors, note = [], ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        try:
            appeals.appeal_create(actor=request.user, comment=comment, note=note)
        except (ValidationError, PermissionDenied) as error:
            errors = refusal_messages(error)
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
    comment = access_comment(request.user, pk)
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
                take_over=request.POST.get("take_over") == "1",
            )
        except (ValidationError, PermissionDenied) as error:
            errors = refusal_messages(error)
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
