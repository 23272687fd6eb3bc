"""Pages of verified residence: the person's own page and the methods' forms,
and the reviewers' queues. Plain forms, usable without JavaScript; each POST
calls one service and a refusal comes back as a message or a form error."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.accounts.second_factor import second_factor_step, staff_second_factor_pending
from consult.identity import rules, selectors, services
from consult.identity.forms import ReasonForm
from consult.identity.methods import method_get, methods
from consult.identity.methods.document import document_type_label, private_storage
from consult.identity.methods.postal import CODE_LIFETIME, CodeForm, PostalCode, printed_at
from consult.identity.models import Status, Verification
from consult.infra.refusals import refusal_text, refuse, refuse_on_form

QUEUE_PAGE_SIZE = 50
SHOW_ONCE = "identity.letter_code"


# --- the person ----------------------------------------------------------------


@require_safe
@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    offered = methods()
    verified, pending, past = [], [], []
    for verification in selectors.verification_list_for_user(user=request.user):
        method = offered.get(verification.method)
        verification.method_label = method.label if method else verification.method
        if verification.status == Status.VERIFIED:
            verified.append(verification)
        elif verification.status == Status.PENDING:
            verification.note = method.pending_note(verification.method_data) if method else ""
            verification.awaits_code = bool(verification.method_data.get("code_hash"))
            pending.append(verification)
        else:
            past.append(verification)
    return render(
        request,
        "identity/index.html",
        {
            "verified": verified,
            "pending": pending,
            "past": past[:20],
            "methods": list(offered.values()),
            "jurisdiction_id": request.GET.get("jurisdiction", ""),
            "is_reviewer": rules.is_reviewer(request.user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def start(request: HttpRequest, method: str) -> HttpResponse:
    chosen = method_get(method)
    if chosen is None:
        raise Http404
    form = chosen.form_class(
        request.POST or None,
        request.FILES or None,
        initial={"jurisdiction": request.GET.get("jurisdiction") or None},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        jurisdiction = data.pop("jurisdiction")
        try:
            services.verification_start(
                actor=request.user, method_key=chosen.key, jurisdiction=jurisdiction, data=data
            )
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(
                request,
                _("Your request is sent. You can follow it on this page."),
            )
            return redirect("identity:index")
    return render(
        request,
        "identity/start.html",
        {"method": chosen, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.verification_withdraw(actor=request.user, verification_id=pk)
    except (Verification.DoesNotExist, PermissionDenied):
        raise Http404 from None
    except ValidationError as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("identity:index")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def code(request: HttpRequest, pk: int) -> HttpResponse:
    verification = (
        Verification.objects.select_related("jurisdiction")
        .filter(pk=pk, user_id=request.user.pk, method=PostalCode.key)
        .first()
    )
    if verification is None:
        raise Http404
    if verification.status != Status.PENDING:
        return redirect("identity:index")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_confirm(
                actor=request.user, verification_id=pk, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            verification.refresh_from_db(fields=["status"])
            if verification.status != Status.PENDING:
                refuse(request, error, one_line=True)
                return redirect("identity:index")
            refuse_on_form(form, error)
        else:
            messages.success(
                request,
                _("You are now a verified resident of %(place)s.")
                % {"place": verification.jurisdiction.name},
            )
            return redirect("identity:index")
    return render(
        request,
        "identity/code.html",
        {
            "verification": verification,
            "form": form,
            "posted": bool(verification.method_data.get("code_hash")),
        },
        status=400 if form.errors else 200,
    )


# --- reviewers -----------------------------------------------------------------


def reviewer_required(view):
    """Signed in, allowed to review somewhere, and (for staff) having passed the
    second factor in this session even to read: these pages show identity documents."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if staff_second_factor_pending(request):
            next_url = request.get_full_path() if request.method == "GET" else ""
            return second_factor_step(request, next_url)
        if not rules.is_reviewer(request.user):
            raise PermissionDenied(_("Only staff admins and officials review verifications."))
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _reviewable(request: HttpRequest, pk: int) -> Verification:
    verification = (
        Verification.objects.select_related("user", "jurisdiction", "decided_by")
        .filter(pk=pk)
        .first()
    )
    # Not found and not allowed look the same: a request is private.
    if verification is None or not rules.can_review(request.user, verification):
        raise Http404
    return verification


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    showing = Status.VERIFIED if request.GET.get("status") == Status.VERIFIED else Status.PENDING
    offered = methods()
    keys = (
        list(offered)
        if showing == Status.VERIFIED
        else [key for key, method in offered.items() if method.staff_reviewed]
    )
    page = _page(request, selectors.review_queue(user=request.user, methods=keys, status=showing))
    for verification in page:
        method = offered.get(verification.method)
        verification.method_label = method.label if method else verification.method
    return render(request, "identity/review_queue.html", {"page_obj": page, "showing": showing})


def _render_review(request: HttpRequest, verification: Verification, status=200, **forms):
    method = method_get(verification.method)
    data = verification.method_data
    context = {
        "verification": verification,
        "method": method,
        "document_type": document_type_label(data.get("document_type", "")),
        "number": data.get("number", ""),
        "has_scan": bool(data.get("files")),
        "scan_is_image": str(data.get("content_type", "")).startswith("image/"),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "revoke_form": forms.get("revoke_form") or ReasonForm(prefix="revoke"),
    }
    return render(request, "identity/review.html", context, status=status)


@require_safe
@reviewer_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _reviewable(request, pk))


@require_POST
@reviewer_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    verification = _reviewable(request, pk)
    try:
        services.verification_approve(actor=request.user, verification_id=verification.pk)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(
            request,
            _("Approved: %(name)s is a verified resident of %(place)s.")
            % {"name": verification.user.display_name, "place": verification.jurisdiction.name},
        )
    return redirect("identity:review-queue")


def _decide_with_reason(request, pk: int, prefix: str, decide, success: str) -> HttpResponse:
    verification = _reviewable(request, pk)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            decide(verification, form.cleaned_data["reason"])
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            refuse(request, error, one_line=True)
            return redirect("identity:review-queue")
        else:
            messages.success(request, success)
            return redirect("identity:review-queue")
    return _render_review(request, verification, status=400, **{f"{prefix}_form": form})


@require_POST
@reviewer_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_with_reason(
        request,
        pk,
        "reject",
        lambda verification, reason: services.verification_reject(
            actor=request.user, verification_id=verification.pk, reason=reason
        ),
        _("Rejected. The person sees your reason."),
    )


@require_POST
@reviewer_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_with_reason(
        request,
        pk,
        "revoke",
        lambda verification, reason: services.verification_revoke(
            actor=request.user, verification_id=verification.pk, reason=reason
        ),
        _("Revoked. The person sees your reason."),
    )


@require_safe
@reviewer_required
def scan(request: HttpRequest, pk: int) -> FileResponse:
    verification = _reviewable(request, pk)
    names = verification.method_data.get("files") or []
    if verification.status != Status.PENDING or not names:
        raise Http404
    try:
        handle = private_storage().open(names[0], "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = verification.method_data.get("content_type") or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- letters of the postal method --------------------------------------------------


@require_safe
@reviewer_required
def letters(request: HttpRequest) -> HttpResponse:
    to_print, printed, posted = [], [], []
    for verification in selectors.review_queue(user=request.user, methods=[PostalCode.key]):
        data = verification.method_data
        if data.get("sent_at"):
            posted.append(verification)
        elif data.get("code_hash"):
            printed.append(verification)
        else:
            to_print.append(verification)
    return render(
        request,
        "identity/letters.html",
        {"to_print": to_print, "printed": printed, "posted": posted},
    )


def _letter_or_404(request: HttpRequest, pk: int) -> Verification:
    verification = _reviewable(request, pk)
    if verification.method != PostalCode.key or verification.status != Status.PENDING:
        raise Http404
    return verification


@require_safe
@reviewer_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    verification = _letter_or_404(request, pk)
    shown = request.session.pop(SHOW_ONCE, None)
    code = shown["code"] if shown and shown.get("id") == verification.pk else None
    printed = printed_at(verification.method_data)
    return render(
        request,
        "identity/letter.html",
        {
            "verification": verification,
            "code": code,
            "printed_at": printed,
            "expires_at": printed + CODE_LIFETIME if printed else None,
            "site_page": settings.CONSULT_SITE_URL + reverse("identity:index"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@reviewer_required
def letter_print(request: HttpRequest, pk: int) -> HttpResponse:
    verification = _letter_or_404(request, pk)
    try:
        _verification, new_code = services.letter_print(
            actor=request.user, verification_id=verification.pk
        )
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
        return redirect("identity:letters")
    request.session[SHOW_ONCE] = {"id": verification.pk, "code": new_code}
    return redirect("identity:letter", pk=verification.pk)


@require_POST
@reviewer_required
def letter_sent(request: HttpRequest, pk: int) -> HttpResponse:
    verification = _letter_or_404(request, pk)
    try:
        services.letter_mark_sent(actor=request.user, verification_id=verification.pk)
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Marked as posted."))
    return redirect("identity:letters")
