"""Discussion pages and plain-form actions (the WebSocket calls the same services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.infra.ratelimit import RateLimited
from consult.infra.refusals import refusal_messages, refusal_text, refuse
from discussion.access import access_comment
from discussion.comments import assembly, limits, overlay, places, selectors, services
from discussion.comments.forms import VOTE_WITHDRAW, CommentForm, EditForm, SortForm, VoteForm
from discussion.live import events
from discussion.models import DISPLAY_DEPTH, ReportReason
from discussion.moderation import services as moderation
from proposals import selectors as proposal_selectors
from proposals.access import access_proposal
from proposals.models import Proposal


def _proposal(request: HttpRequest, slug: str) -> Proposal:
    return access_proposal(request.user, slug=slug)


def _discussion_context(request, proposal, section, form=None, question=None) -> dict:
    # Read before the threads: whatever happens after this number is replayed
    # when the page's socket connects (a comment already shown is skipped).
    seq = events.last_seq(proposal.pk)
    sort_form = SortForm(request.GET or None)
    sort = sort_form.cleaned_data["sort"] if sort_form.is_valid() else "oldest"
    page_obj, threads = selectors.comment_threads(
        proposal=proposal,
        section=section,
        sort=sort,
        page=request.GET.get("page"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        question=question,
        viewer=request.user,
    )
    ids = [node.comment.pk for node in assembly.walk(threads)]
    votes = selectors.my_votes(user=request.user, comment_ids=ids)
    reader = overlay.reader_for(request, proposal, votes=votes, edit_window=services.edit_window())
    return {
        "seq": seq,
        "threads": threads,
        "threads_html": assembly.threads_html(threads, reader),
        "reply_template": overlay.reply_template(proposal.slug, reader)
        if reader.may_take_part
        else "",
        "threads_page": page_obj,
        "sort": sort,
        "sort_form": sort_form,
        "comment_form": form
        or CommentForm(
            initial={
                "section": section.pk if section else None,
                "question": question.pk if question else None,
            }
        ),
        "can_comment": reader.may_take_part,
        "can_moderate": reader.can_moderate,
        "can_respond": reader.can_respond,
        "section_obj": section,
        "display_depth": DISPLAY_DEPTH,
    }


@require_safe
def section_discussion(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    proposal = _proposal(request, slug)
    page = proposal_selectors.proposal_page(proposal=proposal, user=request.user)
    section = next((s for s in page.sections if s.section_id == section_id), None)
    if section is None:
        raise Http404
    context = {"page": page, "section": section}
    context.update(_discussion_context(request, proposal, proposal.sections.get(pk=section_id)))
    return render(request, "discussion/section.html", context)


@require_safe
def general_discussion(
    request: HttpRequest, slug: str, question_id: int | None = None
) -> HttpResponse:
    """The discussion of the proposal as a whole, or the answers to one of its questions."""
    proposal = _proposal(request, slug)
    question = None
    if question_id is not None:
        question = proposal.questions.filter(pk=question_id).first()
        if question is None:
            raise Http404
    context = {"proposal": proposal, "question": question, "status": proposal.effective_status()}
    context.update(_discussion_context(request, proposal, None, question=question))
    return render(request, "discussion/general.html", context)


@require_safe
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access_comment(request.user, pk)
    seq = events.last_seq(comment.proposal_id)
    tree = selectors.comment_subtree(comment=comment, viewer=request.user)
    ids = [node.comment.pk for node in assembly.walk([tree])]
    votes = selectors.my_votes(user=request.user, comment_ids=ids)
    # Reply links of the discussion pages lead here: the reply boxes are in place.
    reader = overlay.reader_for(
        request,
        comment.proposal,
        votes=votes,
        edit_window=services.edit_window(),
        reply_inline=True,
    )
    return render(
        request,
        "discussion/comment_page.html",
        {
            "comment": comment,
            "seq": seq,
            "proposal": comment.proposal,
            "threads": [tree],
            "threads_html": assembly.threads_html([tree], reader),
            "can_comment": reader.may_take_part,
            "can_moderate": reader.can_moderate,
            "can_respond": reader.can_respond,
            "display_depth": DISPLAY_DEPTH,
        },
    )


@require_POST
@login_required
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _proposal(request, slug)
    form = CommentForm(request.POST)
    place, status, retry_after = places.NOWHERE, 400, None
    if form.is_valid():
        data = form.cleaned_data
        place = places.comment_place(
            proposal=proposal,
            section_id=data["section"],
            question_id=data["question"],
            parent_id=data["parent"],
        )
        try:
            comment = services.comment_submit(
                actor=request.user,
                ip=request.META.get("REMOTE_ADDR"),
                proposal=proposal,
                body=data["body"],
                place=place,
                human=limits.HumanCheck(started=data["started"], honeypot=data["website"]),
                key=data["key"],
            )
        except RateLimited as error:
            form.add_error(None, error.message)
            status, retry_after = 429, error.retry_after
        except ValidationError as error:
            field = "body" if "body" in getattr(error, "error_dict", {}) else None
            for message in refusal_messages(error):
                form.add_error(field, message)
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
        else:
            if comment.is_held:
                messages.info(
                    request,
                    _(
                        "Your comment is awaiting a moderator's review. Only you can see it "
                        "until it is approved."
                    ),
                )
            else:
                messages.success(request, _("Your comment is posted."))
            return redirect(comment.url_in_context())
    return _limited(_refused_comment(request, proposal, form, place, status), retry_after)


def _refused_comment(
    request: HttpRequest, proposal: Proposal, form: CommentForm, place, status: int
) -> HttpResponse:
    """Nothing is lost: the page the comment was written on comes back with
    the text and the reason."""
    section, question = place.section, place.question
    if place.parent is not None:
        section, question = place.parent.section, place.parent.question
    page = proposal_selectors.proposal_page(proposal=proposal, user=request.user)
    snapshot = next((s for s in page.sections if section and s.section_id == section.pk), None)
    if snapshot is None:
        # Not a section of the published text (or none at all): the general page.
        context = {
            "proposal": proposal,
            "question": question,
            "status": proposal.effective_status(),
        }
        context.update(_discussion_context(request, proposal, None, form=form, question=question))
        return render(request, "discussion/general.html", context, status=status)
    context = {"page": page, "section": snapshot}
    context.update(_discussion_context(request, proposal, section, form=form))
    return render(request, "discussion/section.html", context, status=status)


def _limited(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access_comment(request.user, pk)
    if comment.author_id != request.user.pk:
        raise Http404
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                actor=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Your comment is updated."))
            return redirect(comment.url_in_context())
    return render(
        request,
        "discussion/edit.html",
        {"comment": comment, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first: the page (GET, or a POST without the confirmation) shows the
    comment and a button that deletes it, so one stray click deletes nothing."""
    comment = access_comment(request.user, pk)
    if comment.author_id != request.user.pk:
        raise Http404
    if comment.is_deleted:
        return redirect(comment.url_in_context())
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "discussion/delete.html",
            {"comment": comment, "back": comment.url_in_context()},
        )
    try:
        services.comment_delete(actor=request.user, comment=comment)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Your comment is deleted. Replies to it stay in the thread."))
    return redirect(comment.url_in_context())


@require_POST
@login_required
def comment_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree, disagree, pass, or take one's vote back (value "withdraw")."""
    comment = access_comment(request.user, pk)
    ip = request.META.get("REMOTE_ADDR")
    form = VoteForm(request.POST)
    try:
        if request.POST.get("value") == VOTE_WITHDRAW:
            if services.vote_withdraw_submit(actor=request.user, ip=ip, comment=comment):
                messages.success(request, _("Your vote is withdrawn."))
        elif not form.is_valid():
            messages.error(request, _("Choose agree, disagree or pass."))
        else:
            services.vote_submit(
                actor=request.user, ip=ip, comment=comment, value=form.cleaned_data["value"]
            )
    except RateLimited as error:
        response = render(
            request,
            "discussion/limited.html",
            {"message": error.message, "back": comment.url_in_context()},
            status=429,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    return redirect(comment.url_in_context())


@require_POST
@login_required
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access_comment(request.user, pk)
    try:
        moderation.comment_hide(
            actor=request.user,
            comment=comment,
            reason=request.POST.get("reason", ""),
            category=request.POST.get("category") or ReportReason.OTHER,
        )
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("The comment is hidden. Its replies stay in the thread."))
    return redirect(comment.url_in_context())


@require_POST
@login_required
def comment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access_comment(request.user, pk)
    try:
        moderation.comment_restore(actor=request.user, comment=comment)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("The comment is restored."))
    return redirect(comment.url_in_context())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's Report link leads to the form (GET); the form sends here (POST)."""
    comment = access_comment(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "discussion/report.html",
            {
                "comment": comment,
                "reasons": ReportReason.choices,
                "back": comment.url_in_context(),
            },
        )
    try:
        moderation.comment_report(
            actor=request.user,
            comment=comment,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Thank you. Moderators will look at your report."))
    return redirect(comment.url_in_context())
