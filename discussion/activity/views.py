"""Your activity, taking back a vote or a stance from it, and the public
profile a person may choose to have."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from consult.accounts.views import profile_form
from consult.infra.refusals import refuse
from discussion.activity import selectors
from discussion.comments import services as comment_services
from discussion.models import CommentVote
from proposals.models import ProposalStance, SectionStance
from proposals.services import stances

NO_VOTE = _("You have no vote on that comment to withdraw.")
NO_STANCE = _("You have no such stance to withdraw.")
VOTE_WITHDRAWN = _("Your vote is withdrawn.")
STANCE_WITHDRAWN = _("Your stance is withdrawn.")


def _back(request: HttpRequest) -> HttpResponse:
    """To the page of "Your activity" the form was on."""
    back = request.POST.get("next", "")
    home = reverse("activity:index")
    if not back.startswith(home) or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = home
    return redirect(back)


@require_safe
@never_cache
@login_required
def activity(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "discussion/activity/index.html",
        {
            "shelves": selectors.activity_overview(request.user),
            "profile_form": profile_form(request.user),
            "next": request.get_full_path(),
        },
    )


@require_safe
@never_cache
@login_required
def activity_kind(request: HttpRequest, kind: str) -> HttpResponse:
    found = selectors.KINDS.get(kind)
    if found is None:
        raise Http404
    page = selectors.activity_page(request.user, found, request.GET.get("page"))
    return render(
        request,
        "discussion/activity/kind.html",
        {"kind": found, "page": page, "next": request.get_full_path()},
    )


@require_POST
@login_required
def vote_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back one's own vote; someone else's, or none, is "no vote of yours"."""
    vote = CommentVote.objects.filter(comment_id=pk, user=request.user).select_related("comment")
    vote = vote.first()
    if vote is None:
        messages.error(request, NO_VOTE)
        return _back(request)
    try:
        withdrawn = comment_services.vote_withdraw_submit(
            actor=request.user, ip=request.META.get("REMOTE_ADDR"), comment=vote.comment
        )
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, VOTE_WITHDRAWN if withdrawn else NO_VOTE)
    return _back(request)


def _own_stance(request: HttpRequest) -> ProposalStance | SectionStance | None:
    proposal, section = request.POST.get("proposal", ""), request.POST.get("section", "")
    if section:
        if not section.isdigit():
            return None
        rows = SectionStance.objects.filter(section_id=int(section)).select_related("section")
    elif proposal.isdigit():
        rows = ProposalStance.objects.filter(proposal_id=int(proposal))
    else:
        return None
    return rows.filter(user=request.user).select_related("proposal").first()


@require_POST
@login_required
def stance_withdraw(request: HttpRequest) -> HttpResponse:
    """Take back one's stance on a consultation (field `proposal`) or on one
    of its sections (field `section`)."""
    stance = _own_stance(request)
    if stance is None:
        messages.error(request, NO_STANCE)
        return _back(request)
    section = stance.section if isinstance(stance, SectionStance) else None
    try:
        withdrawn = stances.stance_withdraw(
            actor=request.user, proposal=stance.proposal, section=section
        )
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, STANCE_WITHDRAWN if withdrawn else NO_STANCE)
    return _back(request)


@require_safe
def person_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's public page, only if they chose to have one."""
    person = selectors.public_person(pk)
    if person is None:
        raise Http404
    page = selectors.activity_page_of(selectors.public_comments_of(person), request.GET.get("page"))
    return render(request, "discussion/activity/person.html", {"person": person, "page": page})
