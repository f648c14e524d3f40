"""The register API's /metrics: every request counted and timed under its route template and status (no
person id in a label), with HELP and TYPE lines and the process's figures."""
from __future__ import annotations

import pytest

from tests.support.register_api import bearer, client_fixture

pytestmark = pytest.mark.integration

client = client_fixture()


def _value(body: str, name: str, *labels: str) -> float:
    for line in body.splitlines():
        if line.startswith(name + "{") and all(label in line for label in labels):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_requests_are_counted_and_timed_by_route_template_and_status(client, settings):
    before = client.get("/metrics").text
    assert client.get("/persons/p-nobody-at-all", headers=bearer(settings, "customer_service")).status_code == 404
    assert client.get("/persons/p-nobody-else").status_code == 401
    assert client.get("/no/such/path").status_code == 404
    body = client.get("/metrics").text

    person = ('route="/persons/{person_id}"', 'method="GET"')
    assert _value(body, "coopreg_http_requests_total", *person, 'status="404"') == \
        _value(before, "coopreg_http_requests_total", *person, 'status="404"') + 1
    assert _value(body, "coopreg_http_requests_total", *person, 'status="401"') >= 1
    assert _value(body, "coopreg_http_requests_total", 'route="unmatched"', 'status="404"') >= 1
    assert _value(body, "coopreg_http_request_duration_seconds_count", *person, 'status="404"') >= 1
    assert _value(body, "coopreg_http_request_duration_seconds_bucket", *person, 'status="404"', 'le="+Inf"') >= 1
    assert "p-nobody" not in body
    for name in ("coopreg_http_requests_total", "coopreg_http_request_duration_seconds",
                 "process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total"):
        assert f"# HELP {name} " in body and f"# TYPE {name} " in body
    assert _value(body, "process_resident_memory_bytes") > 1_000_000
