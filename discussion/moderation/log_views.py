"""A consultation's moderation pages: the public log, the moderators' audit
log, and the consultation's pre-moderation rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from consult.accounts import roles
from discussion import rules
from discussion.models import ModerationPolicy
from discussion.moderation import log, policy, premoderation
from discussion.moderation.forms import AuditFilterForm, PolicyForm
from proposals.access import access_proposal
from proposals.models import Proposal

MODERATORS_ONLY = gettext_lazy(
    "Only moderators of this consultation's department can see this page."
)
STAFF_ONLY = gettext_lazy(
    "Only moderators of this consultation's department, and its officials, can see this page."
)


def _staff_proposal(request: HttpRequest, slug: str, *, officials: bool) -> tuple[Proposal, bool]:
    """The consultation and whether the person moderates it. Moderators of
    its department (or above) may; with `officials`, its officials may look.
    Whoever may not even see the consultation gets 404, anyone else 403."""
    moderates = False

    def may(user, proposal: Proposal) -> bool:
        nonlocal moderates
        moderates = rules.can_moderate(user, proposal)
        return moderates or (officials and roles.is_official_for(user, proposal.department))

    proposal = access_proposal(
        request.user,
        slug=slug,
        queryset=Proposal.objects.select_related("department"),
        may=may,
        refusal=STAFF_ONLY if officials else MODERATORS_ONLY,
    )
    return proposal, moderates


@require_safe
def moderation_log(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = access_proposal(request.user, slug=slug)
    public_log = log.moderation_log(proposal=proposal, page=request.GET.get("page"))
    return render(
        request,
        "discussion/moderation_log.html",
        {
            "proposal": proposal,
            "log": public_log,
            "chart_height": log.chart_height(public_log.chart),
            "can_moderate": rules.can_moderate(request.user, proposal),
        },
    )


@require_safe
@login_required
def moderation_audit(request: HttpRequest, slug: str) -> HttpResponse:
    proposal, _moderates = _staff_proposal(request, slug, officials=False)
    form = AuditFilterForm(request.GET or None, actions=log.audit_actions(proposal=proposal))
    action = form.chosen() if form.is_bound else ""
    page = log.audit_log(proposal=proposal, action=action, page=request.GET.get("page"))
    return render(
        request,
        "discussion/audit_log.html",
        {"proposal": proposal, "form": form, "action": action, "entries": page},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def moderation_policy(request: HttpRequest, slug: str) -> HttpResponse:
    """Moderators set the rules; officials of the department read them (they
    answer for the consultation, but moderating it is not theirs)."""
    proposal, moderates = _staff_proposal(request, slug, officials=True)
    current = ModerationPolicy.objects.filter(proposal=proposal).first()
    form = PolicyForm(initial=PolicyForm.initial_for(current))
    status = 200
    if request.method == "POST":
        if not moderates:
            raise PermissionDenied(policy.NOT_MODERATOR)
        form = PolicyForm(request.POST, initial=PolicyForm.initial_for(current))
        if form.is_valid() and _save(request, proposal, current, form):
            return redirect("moderation-policy", slug=proposal.slug)
        status = 400
        # Shown beside the form as they are now (another moderator's, if they changed).
        current = ModerationPolicy.objects.filter(proposal=proposal).first()
    return render(
        request,
        "discussion/moderation_policy.html",
        _policy_context(proposal, current, form, moderates),
        status=status,
    )


def _save(request: HttpRequest, proposal: Proposal, current, form: PolicyForm) -> bool:
    data = form.cleaned_data
    try:
        saved = policy.policy_update(
            actor=request.user,
            proposal=proposal,
            hold_all=data["hold_all"],
            min_account_age_days=data["min_account_age_days"],
            max_links=data["max_links"],
            blocked_terms=data["blocked_terms"],
            reason=data["reason"],
            version=data["version"] or policy.NEW,
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "stale":
            # Saving again after a look at the other moderator's rules goes through.
            form.data = form.data.copy()
            form.data["version"] = policy.policy_version(
                ModerationPolicy.objects.filter(proposal=proposal).first()
            )
        for name, errors in getattr(error, "error_dict", {None: [error]}).items():
            form.add_error(name if name in form.fields else None, errors)
        return False
    if policy.policy_state(saved) == policy.policy_state(current):
        messages.info(request, _("Nothing changed: the rules are as they were."))
    else:
        messages.success(request, _("The rules of this consultation are saved."))
    return True


def _policy_context(proposal: Proposal, current, form: PolicyForm, moderates: bool) -> dict:
    site = premoderation.deployment_settings()
    effective = premoderation.rules_for(proposal, current)
    state = policy.policy_state(current)
    return {
        "proposal": proposal,
        "form": form,
        "can_edit": moderates,
        # Blocked terms are for moderators' eyes: officials see how many.
        "show_terms": moderates,
        "site": {
            "hold_all": bool(site.get("hold_all")),
            "min_account_age_days": site.get("min_account_age_days") or 0,
            "max_links": site.get("max_links"),
            "terms": _terms_by_language(site.get("blocked_terms") or {}),
        },
        "mine": {**state, "terms": _terms_by_language(state["terms"])},
        "effective": {
            "hold_all": effective.hold_all,
            "min_account_age_days": effective.min_account_age.days,
            "max_links": effective.max_links,
            "terms": len(effective.terms),
        },
        "updated_at": current.updated_at if current else None,
        # Saved over by another moderator: their rules are shown beside the form.
        "stale": any(error.code == "stale" for error in form.non_field_errors().as_data()),
    }


def _terms_by_language(terms: dict) -> list[dict]:
    names = dict(settings.LANGUAGES)
    return [
        {"code": code, "language": names[code], "terms": list(terms[code])}
        for code in names
        if terms.get(code)
    ]
