"""Personal access tokens: the account's page to make one, see them and revoke
one, and /api/v1/me/, which tells a script whose token it holds."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from consult.api import serializers as shapes
from consult.api import tokens
from consult.api.base import ApiView
from consult.api.models import NAME_MAX_LENGTH, AccessToken
from consult.infra.refusals import refuse_on_form

SHOW_ONCE = "api.new_token"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What it is for, such as “my research script”."),
    )
    can_write = forms.BooleanField(
        label=_("May write"),
        required=False,
        help_text=_(
            "Comment, reply, vote and take stances as you. Leave it unticked for a token that "
            "only reads."
        ),
    )
    days = forms.TypedChoiceField(label=_("Expires after"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Drawn per request, in the reader's language.
        self.fields["days"].choices = [
            (days, ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
            for days in tokens.LIFETIMES
        ]
        self.fields["days"].initial = tokens.DEFAULT_LIFETIME


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, raw = tokens.token_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                # By field where the form has it; a refusal of the whole form
                # (too many tokens) has no field.
                refuse_on_form(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                request.session[SHOW_ONCE] = {"id": token.pk, "raw": raw}
                return redirect("tokens:list")
        status = 400
    shown = request.session.pop(SHOW_ONCE, None)
    listed = list(tokens.tokens_of(request.user))
    now = timezone.now()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": shown,
            "active": [t for t in listed if t.is_active(now)],
            "ended": [t for t in listed if not t.is_active(now)][:20],
            "docs_url": reverse("api:docs"),
        },
        status=status,
    )


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.token_revoke(actor=request.user, token_id=pk)
    except AccessToken.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name},
    )
    return redirect("tokens:list")


class MeView(ApiView):
    private = True

    @extend_schema(operation_id="me_retrieve", responses=shapes.Me)
    def get(self, request):
        token = request.auth
        if not isinstance(token, AccessToken):
            raise NotAuthenticated()
        return Response(shapes.Me(token, context={"request": request}).data)
