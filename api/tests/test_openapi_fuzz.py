"""schemathesis against the served OpenAPI document (/api/v1/openapi.json), through the WSGI app, with
an authenticated read-write token: no generated request gets a server error, and every response
conforms to the document (status codes, headers, bodies).

Driven with hypothesis `@given` and `operation.as_strategy()` in a normal test (schemathesis's own
pytest plugin does not run on pytest 9), so it runs in every `.ci/run` on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import submission_etag
from api.tests.conftest import make_token
from review.tests.conftest import make_ready

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 120


@pytest.fixture
def wsgi_app():
    """Django's WSGI app in the test's own transaction: like the test client, keep the request signals
    from closing the test's connection (it holds the fixtures' uncommitted rows)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(material, other_material, filler, settings):
    """The filler's material made ready, another authority's material, and a token; the rate limit
    raised so the fuzzer is not throttled."""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    make_ready(material, filler)
    return {"token": make_token(filler), "material": material, "other": other_material}


def test_the_served_document_describes_every_operation(wsgi_app, db):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    labels = {op.ok().label for op in schema.get_all_operations()}
    assert "PATCH /api/v1/submissions/{submission_id}/values" in labels
    assert "POST /api/v1/submissions/{submission_id}/transitions/{action}" in labels
    assert len(labels) == 13


def _strategies(schema, known: dict[str, object], etag: str):
    out = []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        fixed = {name: known[name] for name in names if name in known}
        out.append(operation.as_strategy())
        if fixed:
            # Also aim at real objects, so the fuzzer gets past the 404s (and, with the current
            # ETag, past the If-Match check of a write).
            out.append(operation.as_strategy(path_parameters=fixed))
            if operation.method.upper() == "PATCH":
                out.append(operation.as_strategy(path_parameters=fixed, headers={"If-Match": etag}))
    return st.one_of(out)


def test_no_server_error_and_every_response_conforms(wsgi_app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    material = world["material"]
    known = {"submission_id": material.pk, "base_id": material.base_id, "version": "t", "code": "summary"}
    headers = {"Authorization": f"Bearer {world['token']}"}
    seen: set[tuple[str, int]] = set()

    @given(case=_strategies(schema, known, submission_etag(material)))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        response = case.call(headers=headers)
        seen.add((case.operation.label, response.status_code))
        case.validate_response(response, checks=CHECKS, headers=headers)

    call()
    statuses = {status for _, status in seen}
    assert 200 in statuses and 404 in statuses, sorted(seen)
