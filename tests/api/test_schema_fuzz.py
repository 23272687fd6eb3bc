"""Schemathesis drives every operation of the OpenAPI schema with generated
requests: no server error, and every answer matches the schema."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from consult.api import tokens

pytestmark = pytest.mark.django_db


# Every check runs. A well-formed request may still be refused by a rule the
# schema cannot state (a section of another consultation, a cursor that was
# never given out, a vote on one's own comment): that is a 400 with the error
# body, documented for every operation, never a 5xx.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)


def _load() -> schemathesis.BaseSchema:
    """The schema exactly as /api/v1/schema/ serves it, driving the app in-process."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(generated)), config=CONFIG
    )
    loaded.app = get_wsgi_application()
    return loaded


schema = _load()


@pytest.fixture(autouse=True)
def _in_the_tests_transaction(settings):
    # Generated requests come quickly: limits are tested on their own elsewhere.
    settings.CONSULT_API_RATES = {"anonymous": [], "token": [], "ip": []}
    settings.CONSULT_RATE_LIMITS = {}
    # As Django's test client does: a finished request must not close the
    # connection that holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_served_schema_is_the_one_fuzzed(client):
    served = client.get("/api/v1/schema/", {"format": "json"})
    assert json.loads(served.content) == schema.raw_schema


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, thread, open_proposal, form_scene, make_user):
    # Real addresses for the well-formed requests, so that generated queries
    # and bodies reach the code behind the 404s (the response form's, a
    # consultation with a form answered every way).
    if case.path_parameters and case.meta.generation.mode.is_positive:
        if "slug" in case.path_parameters:
            with_form = "/form/" in case.path
            proposal = form_scene.proposal if with_form else open_proposal
            case.path_parameters["slug"] = proposal.slug
        if "id" in case.path_parameters:
            case.path_parameters["id"] = thread.public.pk
    _token, raw = tokens.token_create(actor=make_user(), name="fuzz", can_write=True)
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"})
