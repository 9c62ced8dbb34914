"""Property-based check of the whole API against its own OpenAPI description (schemathesis).

Every operation is called with generated parameters and bodies — anonymously, and with a team member's
write token — through the WSGI application; no answer may be a server error, and every answer must
match the declared status codes, content type and schema.
"""

import copy

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup

from .conftest import bearer

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]


@pytest.fixture
def wsgi_app(db, settings):
    # Generous limits: the rate limiter is tested on its own; here it would only answer 429s.
    settings.ATOUT_API_RATE_ANON = settings.ATOUT_API_RATE_TOKEN = "100000/min"
    # Like Django's test client: requests must not close the test transaction's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_anonymous_calls_conform(case, drome):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_team_calls_conform(case, drome, users):
    from atout.api.tokens import create_token

    _token, key = create_token(users["team"], "schemathesis", "write")
    case.call_and_validate(checks=CHECKS, headers={"Authorization": bearer(key)["HTTP_AUTHORIZATION"]})


def test_the_checks_catch_an_answer_that_breaks_the_schema(api_schema, wsgi_app, drome):
    """The harness is not blind: against a description where an indicator's code is an integer, the
    same checks fail on the real answer (and pass against the real description)."""
    from atout.diagnostic.models import Indicator

    code = Indicator.objects.first().code
    raw = copy.deepcopy(api_schema.raw_schema)
    raw["components"]["schemas"]["IndicatorOut"]["properties"]["code"] = {"type": "integer"}
    broken = schemathesis.openapi.from_dict(raw)
    broken.app = wsgi_app
    with pytest.raises(FailureGroup) as caught:
        broken["/api/v1/indicators/{code}"]["GET"].Case(path_parameters={"code": code}).call_and_validate(checks=CHECKS)
    assert [type(e).__name__ for e in caught.value.exceptions] == ["JsonSchemaError"]
    api_schema["/api/v1/indicators/{code}"]["GET"].Case(path_parameters={"code": code}).call_and_validate(checks=CHECKS)
