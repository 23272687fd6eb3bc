"""Forms parse input only; the services validate the rules and write. Each
method's own form lives with the method (consult.identity.methods)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consult.identity.models import REASON_MAX_LENGTH
from consult.infra.refusals import refusal_by_field


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the person)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the form has it."""
    for name, messages in refusal_by_field(error).items():
        form.add_error(name if name in form.fields else None, messages)
