"""The OpenAPI document, checked against the running app by schemathesis: generated requests (valid and
invalid) for every operation, with a staff token and without, answered as documented — never a 5xx."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from services.register_api.entrypoints.app import create_app
from tests.support.register_api import bearer
from tests.support.stack import integration_settings

# No rate limits: hundreds of generated requests from one address and user would be answered 429, which
# tests/integration/test_register_api_edge.py checks on its own.
SETTINGS = integration_settings()
SETTINGS = SETTINGS.model_copy(update={"api": SETTINGS.api.model_copy(
    update={"rate_limit_per_principal": 0, "rate_limit_per_address": 0})})
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


# Made at import, but its lifespan (pools, migrations) starts with the first request, after the `settings`
# fixture has prepared the test database.
APP = create_app(SETTINGS, background=False)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app, schema.location = APP, "/openapi.json"


@schema.parametrize()
@hypothesis_settings(max_examples=8, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, settings):
    SETTINGS.api.service_urls = settings.api.service_urls  # the services' endpoints of this session
    SETTINGS.pg, SETTINGS.kafka = settings.pg, settings.kafka  # and its stack (made at import, before it was up)
    for role in ("data_protection_officer", "customer_service", None):
        case.call_and_validate(headers=bearer(SETTINGS, role) if role else {}, checks=CHECKS)
