"""Public pages of consultations: browse, read, compare versions, take a stance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consult.infra import live
from consult.infra.refusals import refuse
from proposals import diff, selectors
from proposals.access import access_proposal
from proposals.forms import BrowseForm, StanceForm
from proposals.models import Section
from proposals.services import followers, stances

PAGE_SIZE = 20


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    form = BrowseForm(request.GET or None)
    form.is_valid()  # one bad parameter must not throw away the others
    cleaned = getattr(form, "cleaned_data", {})
    browse = selectors.Browse(**{name: cleaned.get(name) or "" for name in BrowseForm.base_fields})
    page = Paginator(selectors.proposal_list_public(browse), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/list.html",
        {
            "page": page,
            "form": form,
            "browse": browse,
            "choices": selectors.browse_choices(),
            "query": query.urlencode(),
        },
    )


@require_safe
def proposal_detail(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(request.user, slug=slug)
    # Read before the page: whatever happens after it is replayed on connect.
    seq = live.last_seq(proposal.pk)
    return render(
        request,
        "proposals/detail.html",
        {"page": selectors.proposal_page(proposal=proposal, user=request.user), "seq": seq},
    )


@require_POST
@login_required
def stance(request: HttpRequest, slug: str) -> HttpResponse:
    """Take, change or (with the "withdraw" button) take back a stance."""
    proposal = access_proposal(request.user, slug=slug)
    withdraw = "withdraw" in request.POST
    form = StanceForm(request.POST)
    form.fields["value"].required = not withdraw
    anchor = ""
    if not form.is_valid():
        messages.error(request, _("Choose support, oppose or neutral."))
        return redirect(proposal.get_absolute_url())
    section = None
    if form.cleaned_data["section"]:
        section = Section.objects.filter(pk=form.cleaned_data["section"], proposal=proposal).first()
        if section is None:
            raise Http404
        anchor = f"#section-{section.pk}"
    try:
        if withdraw:
            if stances.stance_withdraw(actor=request.user, proposal=proposal, section=section):
                messages.success(request, _("Your stance is withdrawn."))
        else:
            stances.stance_cast(
                actor=request.user,
                proposal=proposal,
                section=section,
                value=form.cleaned_data["value"],
            )
            messages.success(
                request,
                _("Your stance is recorded. You can change it while the consultation is open."),
            )
    except ValidationError as error:
        refuse(request, error, one_line=True)
    return redirect(proposal.get_absolute_url() + anchor)


@require_POST
@login_required
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(request.user, slug=slug)
    following = request.POST.get("follow") == "1"
    try:
        followers.follow_set(actor=request.user, proposal=proposal, following=following)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("You are following this consultation.")
        if following
        else _("You no longer follow this consultation."),
    )
    return redirect(proposal)


@require_safe
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = access_proposal(request.user, slug=slug)
    try:
        version = selectors.version_get(proposal=proposal, number=number)
    except proposal.versions.model.DoesNotExist:
        raise Http404 from None
    return render(request, "proposals/version.html", {"proposal": proposal, "version": version})


@require_safe
def version_changes(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(request.user, slug=slug)
    versions = list(proposal.versions.order_by("number"))
    if len(versions) < 2:
        return render(
            request,
            "proposals/changes.html",
            {"proposal": proposal, "versions": versions, "changes": None},
        )
    numbers = [v.number for v in versions]
    old_n = _int_or(request.GET.get("from"), numbers[-2])
    new_n = _int_or(request.GET.get("to"), numbers[-1])
    if old_n not in numbers or new_n not in numbers:
        raise Http404
    old = selectors.version_get(proposal=proposal, number=old_n)
    new = selectors.version_get(proposal=proposal, number=new_n)
    changes = diff.compare(list(old.section_versions.all()), list(new.section_versions.all()))
    return render(
        request,
        "proposals/changes.html",
        {"proposal": proposal, "versions": versions, "old": old, "new": new, "changes": changes},
    )


def _int_or(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return -1


@require_safe
def attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    proposal = access_proposal(request.user, slug=slug)
    attachment = proposal.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Images may show inline; everything else downloads. Never sniffed, never
    # run as a page: the sandbox policy stops a crafted file from scripting.
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
