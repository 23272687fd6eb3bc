"""Turning a refused action into words for the person who tried it.

Services refuse with `ValidationError` (what was sent is wrong, field by
field) or `PermissionDenied` (who sent it may not; `RateLimited` is one).
Every edge (a page, a socket, the API, a command) tells the person through
these helpers, so the same refusal reads the same wherever it happened.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

REFUSED = _("You do not have permission to do that.")


def refusal_messages(error: BaseException) -> list[str]:
    """Each thing to tell: every message of a ValidationError, in field
    order; the reason of a PermissionDenied (or a general one when it gives
    none)."""
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    text = str(getattr(error, "message", "") or error)
    if not text and isinstance(error, PermissionDenied):
        text = str(REFUSED)
    return [text] if text else []


def refusal_text(error: BaseException) -> str:
    """The refusal as one line."""
    return " ".join(refusal_messages(error))


def refusal_by_field(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field ("__all__" for the rest)."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errors).messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


def refuse_on_form(form, error: BaseException) -> None:
    """Show a refusal on a form: a ValidationError's messages by field where
    the form has that field, the rest (and any other refusal) on the form as
    a whole."""
    if not isinstance(error, ValidationError):
        form.add_error(None, refusal_text(error))
        return
    for name, messages_of_field in refusal_by_field(error).items():
        form.add_error(name if name in form.fields else None, messages_of_field)


def refuse(request: HttpRequest, error: BaseException, *, one_line: bool = False) -> None:
    """Tell the person on the next page: one message per refusal message, or
    all of them as one line."""
    if one_line:
        messages.error(request, refusal_text(error))
        return
    for message in refusal_messages(error):
        messages.error(request, message)
