"""One error body for every refusal the API makes:

    {"error": {"status": 404, "code": "not_found", "message": "…", "fields": {}}}

`fields` maps a request field to its messages when the input was at fault."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from consult.infra.ratelimit import RateLimited, wait_message
from consult.infra.refusals import refusal_by_field

logger = logging.getLogger(__name__)

INVALID = "invalid"


def body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


class TooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = gettext_lazy("The request is too large: send at most %(limit)d kilobytes.")


def _translate(exc: Exception) -> Exception:
    """A refusal from a service, as the API's own kind of refusal."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return TooLarge(str(TooLarge.default_detail) % {"limit": limit})
    if isinstance(exc, RateLimited):
        return exceptions.Throttled(wait=exc.retry_after, detail=exc.message)
    if isinstance(exc, DjangoValidationError):
        # Messages without a field come under "__all__", which the body gives as its message.
        return exceptions.ValidationError(refusal_by_field(exc))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("API error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return JsonResponse(
            body(500, "server_error", _("Something went wrong on our side. Try again later.")),
            status=500,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        general = [str(m) for key in ("non_field_errors", "__all__") for m in detail.pop(key, [])]
        fields = {name: _messages(value) for name, value in detail.items()}
        message = " ".join(general) or _("Some of what was sent is not valid: see the fields.")
        response.data = body(response.status_code, INVALID, message, fields)
    elif isinstance(exc, exceptions.Throttled):
        response.data = body(429, "throttled", wait_message(exc.wait or 1))
    else:
        code = getattr(exc, "default_code", "error")
        response.data = body(response.status_code, code, " ".join(_messages(exc.detail)))
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any address under /api/v1/ that is not an endpoint."""
    return JsonResponse(
        body(404, "not_found", _("There is no such address in the API. See /api/v1/docs/.")),
        status=404,
    )
