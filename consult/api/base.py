"""What every endpoint shares: conditional GETs with ETags, and its errors in
the schema."""

from __future__ import annotations

import hashlib

from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView


class ErrorDetail(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class Error(serializers.Serializer):
    error = ErrorDetail()


UNKNOWN_PARAMETER = _("This endpoint takes no such parameter.")

READ_ERRORS = ("400", "401", "404", "406", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "406", "413", "415", "429")


class ApiSchema(AutoSchema):
    """Every operation documents the one error body for each refusal it can make."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(Error, code, direction=direction)
        return responses


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak(tag: str) -> str:
    return tag.removeprefix("W/")


class ApiView(GenericAPIView):
    """A 200 to a GET carries a strong ETag of its body; a request whose
    If-None-Match names it gets 304 Not Modified and no body.

    A query parameter the endpoint does not take is refused, not ignored: a
    misspelt filter must not quietly return everything."""

    private = False
    filters: tuple[str, ...] = ()
    # No OPTIONS descriptions: the schema is the description.
    metadata_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # refused as a method the endpoint does not take
        allowed = set(self.filters)
        if self.pagination_class is not None and request.method in ("GET", "HEAD"):
            allowed |= {"cursor", "limit"}
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name[:100]: [UNKNOWN_PARAMETER] for name in unknown[:10]})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache" if self.private else "no-cache"
        patch_vary_headers(response, ["Authorization"])
        wanted = request.headers.get("If-None-Match", "")
        if wanted and (
            wanted.strip() == "*" or _weak(etag) in {_weak(tag) for tag in _tags(wanted)}
        ):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response
