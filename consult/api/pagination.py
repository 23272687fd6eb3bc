"""Cursor pagination: stable pages however fast rows arrive.

A page is `{"next": url|null, "previous": url|null, "results": [...]}`;
follow `next` as it is. `limit` asks for up to 200 rows a page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

CURSOR_INVALID = _("This cursor is not valid: follow a page's next or previous link as it is.")
LIMIT_INVALID = _("limit must be a whole number from 1 to %(max)d.")


class Cursor(CursorPagination):
    page_size = DEFAULT_LIMIT
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT
    ordering = "id"
    invalid_cursor_message = CURSOR_INVALID

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise ValidationError({"limit": [LIMIT_INVALID % {"max": MAX_LIMIT}]})
        return int(raw)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # Every ordering here is by id: a position that is not one was not
        # given out by a page.
        if cursor is not None and cursor.position is not None:
            position = str(cursor.position)
            if not position.isascii() or not position.isdigit() or len(position) > 18:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({"cursor": [str(CURSOR_INVALID)]}) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "limit":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
        return parameters
