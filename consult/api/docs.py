"""The API's documentation: a guide and a reference drawn from the OpenAPI
schema on the server (readable without JavaScript), and an interactive
explorer for those who want to try calls in the browser."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularSwaggerSplitView

from consult.api import pagination
from consult.infra import ratelimit

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref(schema: dict, spec: dict) -> str:
    """A short name for a response or request body's shape."""
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if spec.get("type") == "array" and "items" in spec:
        return f"[{_ref(schema, spec['items'])}]"
    if "properties" in spec and "results" in spec["properties"]:
        return f"page of {_ref(schema, spec['properties']['results'])}"
    return spec.get("type", "object")


def operations() -> list[dict]:
    schema = _schema()
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            success = next((code for code in operation["responses"] if code.startswith("2")), None)
            body = (
                operation["responses"][success].get("content", {}).get("application/json", {})
                if success
                else {}
            )
            request_body = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            )
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation["operationId"],
                    "token": bool(operation.get("security"))
                    and {} not in operation.get("security", []),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": p.get("schema", {}).get("type", ""),
                            "choices": p.get("schema", {}).get("enum", []),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "request": _ref(schema, request_body["schema"]) if request_body else "",
                    "response": _ref(schema, body["schema"]) if body else "",
                    "status": success,
                }
            )
    return found


def shapes() -> list[dict]:
    components = _schema()["components"]["schemas"]
    listed = []
    for name, spec in sorted(components.items()):
        properties = spec.get("properties", {})
        required = set(spec.get("required", []))
        listed.append(
            {
                "name": name,
                "fields": [
                    {
                        "name": field,
                        "type": _ref(_schema(), value)
                        if "$ref" in value or "items" in value
                        else value.get("type", "") or ("enum" if "enum" in value else "object"),
                        "required": field in required,
                        "choices": value.get("enum", []),
                        "description": value.get("description", ""),
                    }
                    for field, value in properties.items()
                ],
                "choices": spec.get("enum", []),
            }
        )
    return listed


@require_safe
def reference(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api/docs.html",
        {
            "operations": operations(),
            "shapes": shapes(),
            "rates": ratelimit.rates("api"),
            "default_limit": pagination.DEFAULT_LIMIT,
            "max_limit": pagination.MAX_LIMIT,
        },
    )


explorer = SpectacularSwaggerSplitView.as_view(url_name="api:schema")
