"""Your account: the name shown next to what you write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consult.accounts import services
from consult.accounts.forms import DISPLAY_NAME_BLANK
from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH
from consult.infra.refusals import refusal_text

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


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def display_name(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = DisplayNameForm(initial={"display_name": request.user.display_name})
        return render(request, "accounts/display_name.html", {"form": form})
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
    return render(request, "accounts/display_name.html", {"form": form}, status=400)
