"""Your account: the name shown next to what you write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consult.accounts import services
from consult.accounts.forms import DISPLAY_NAME_BLANK
from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH
from consult.infra.refusals import refusal_text

PROFILE_ON = _(
    "Your public profile is on: anyone can see what you wrote that is already public, "
    "listed on one page."
)
PROFILE_OFF = _("Your public profile is off: nobody else can see a page about you.")
RENAMED = _("Your display name is now “%(name)s”. It shows next to everything you wrote.")


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        error_messages={"required": DISPLAY_NAME_BLANK},
        help_text=_(
            "Shown publicly next to what you write, including what you wrote before. "
            "It cannot look like a role on this site or be someone else's name."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class ProfileForm(forms.Form):
    profile_public = forms.BooleanField(
        label=_("Show a public page listing my public comments"),
        required=False,
        help_text=_(
            "Off unless you turn it on. It lists only what anyone can already read: your "
            "visible comments and replies on public consultations. Never your votes, stances "
            "or form responses."
        ),
    )


def profile_form(user) -> ProfileForm:
    return ProfileForm(initial={"profile_public": user.profile_public})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def display_name(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = DisplayNameForm(initial={"display_name": request.user.display_name})
        return render(
            request,
            "accounts/display_name.html",
            {"form": form, "profile_form": profile_form(request.user)},
        )
    form = DisplayNameForm(request.POST)
    if form.is_valid():
        try:
            user = services.display_name_change(
                actor=request.user, name=form.cleaned_data["display_name"]
            )
        except ValidationError as error:
            form.add_error("display_name", error)
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, RENAMED % {"name": user.display_name})
            return redirect("accounts:display-name")
    # Refused: the name stays in the box as typed, with the reason beside it.
    return render(
        request,
        "accounts/display_name.html",
        {"form": form, "profile_form": profile_form(request.user)},
        status=400,
    )


@require_POST
@login_required
def profile_visibility(request: HttpRequest) -> HttpResponse:
    """Turn the public profile on or off, then back to the page it was set from."""
    form = ProfileForm(request.POST)
    form.is_valid()  # an unticked box is simply False
    public = bool(form.cleaned_data.get("profile_public"))
    try:
        services.profile_visibility_set(actor=request.user, public=public)
    except PermissionDenied as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, PROFILE_ON if public else PROFILE_OFF)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return redirect(back or "accounts:display-name")
