"""Forms parse input only; the services validate the rules and write. Each
method's own form lives with the method (consult.identity.methods)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.identity.models import REASON_MAX_LENGTH


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the person)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
