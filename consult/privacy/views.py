"""The privacy page, and the account page to download your data or delete
your account."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from consult.infra.ratelimit import Rate, RateLimited, hit, rates
from consult.infra.refusals import refusal_text, refuse
from consult.privacy import selectors
from consult.privacy.services import archives, erasure, exports

# How often the account page looks again while an archive is being prepared, in seconds.
REFRESH_SECONDS = 5
# Confirmations of a deletion per person, one rate (consult.infra.ratelimit's table says why).
(DELETE_ATTEMPTS,) = [Rate.parse(rate) for rate in rates("account_delete")["user"]]
DELETED_FLAG = "privacy.deleted"

EXPORT_QUEUED = _(
    "We are preparing a copy of your data. This page shows how far it has got, and we will "
    "email you when it is ready."
)


@require_safe
def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/page.html",
        {"facts": selectors.privacy_facts(), "notice": settings.CONSULT_PRIVACY},
    )


@require_safe
@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    exports = selectors.exports_of(user=request.user)
    return render(
        request,
        "privacy/index.html",
        {
            "exports": exports,
            "in_progress": any(row.export.in_progress for row in exports),
            "refresh": REFRESH_SECONDS,
            "facts": selectors.privacy_facts(),
        },
    )


@require_POST
@login_required
def export_request(request: HttpRequest) -> HttpResponse:
    try:
        exports.export_request(actor=request.user, language=translation.get_language() or "")
    except (ValidationError, PermissionDenied) as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, EXPORT_QUEUED)
    return redirect("privacy:index")


@require_GET
@never_cache
@login_required
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The archive, once, to its owner. GET only: a HEAD must not use up the link."""
    export = archives.export_for_token(actor=request.user, token=token)
    if export is None:
        raise Http404
    if export.in_progress:
        return redirect("privacy:index")
    handle = archives.export_download_open(actor=request.user, export_row=export)
    if handle is None:
        return _gone(request, export)
    day = timezone.localdate(export.ready_at).isoformat()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"consult-my-data-{day}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _gone(request: HttpRequest, export) -> HttpResponse:
    if export.downloaded_at is not None:
        reason = "used"
    elif export.state == "failed":
        reason = "failed"
    else:
        reason = "expired"
    return render(
        request,
        "privacy/gone.html",
        {"export": export, "reason": reason, "facts": selectors.privacy_facts()},
        status=410,
    )


class DeleteForm(forms.Form):
    """The confirmation: the password, or for an account without one, its email address."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if erasure.confirms_with_password(user):
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["confirmation"] = forms.CharField(
                label=_("Type your email address to confirm"),
                max_length=254,
                help_text=_("Your account has no password, so you confirm with: %(email)s")
                % {"email": user.email},
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
                ),
            )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                hit("account_delete", [(f"u{user.pk}", DELETE_ATTEMPTS)])
                erasure.account_delete(
                    actor=user,
                    user=user,
                    recently_signed_in=erasure.recently_signed_in(request),
                    **form.cleaned_data,
                )
            except RateLimited as error:
                form.add_error(None, refusal_text(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error(None, refusal_text(error))
            else:
                logout(request)
                request.session[DELETED_FLAG] = True
                return redirect("privacy:deleted")
    return render(
        request,
        "privacy/delete.html",
        {
            "form": form,
            "is_staff_admin": user.is_staff or user.is_superuser,
            "sign_in_again": not erasure.confirms_with_password(user)
            and not erasure.recently_signed_in(request),
        },
        status=status,
    )


@require_safe
def deleted(request: HttpRequest) -> HttpResponse:
    if not request.session.pop(DELETED_FLAG, False):
        return redirect("privacy")
    return render(request, "privacy/deleted.html")
