"""Tracing hooks and latency histograms without the broker: what the outbox stages, what the exporters
send, and the Prometheus text of a histogram. (The trace through the real broker: tests/e2e/test_tracing.py.)"""
from __future__ import annotations

import gzip
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import orjson
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from shared import tracing
from shared.latency import DeliveryTimings, Histogram, RelayTimings
from shared.outbox import OutgoingEvent, header_pairs
from shared.settings import TracingSettings

pytestmark = pytest.mark.unit


def staged_header_names() -> list[str]:
    row = OutgoingEvent("t", "k", Envelope(source="s", type="t"), CloseBonusMonth(month="2030-01")).row()
    return [name for name, _ in header_pairs(row[3])]


def test_tracing_is_off_by_default_and_stages_no_trace_header():
    assert TracingSettings().exporter == "none"
    assert tracing.configure("unit", TracingSettings()) is False and not tracing.enabled()
    assert "traceparent" not in staged_header_names()
    with tracing.publishing("unit", 1) as stamp:
        assert stamp([("ce_id", b"1")]) == [("ce_id", b"1")]


def test_an_event_staged_inside_a_span_carries_its_traceparent(capsys):
    assert tracing.configure("unit", TracingSettings(exporter="console"))
    try:
        tracer = trace.get_tracer("unit", tracer_provider=tracing._state["provider"])
        assert "traceparent" not in staged_header_names(), "outside any span there is no context to carry"
        with tracer.start_as_current_span("handler") as span:
            row = OutgoingEvent("t", "k", Envelope(source="s", type="t"), CloseBonusMonth(month="2030-01")).row()
        (traceparent,) = [value.decode() for name, value in header_pairs(row[3]) if name == "traceparent"]
        version, trace_id, span_id, _flags = traceparent.split("-")
        assert (version, trace_id, span_id) == ("00", f"{span.get_span_context().trace_id:032x}",
                                                f"{span.get_span_context().span_id:016x}")
    finally:
        tracing.shutdown()
    exported = orjson.loads(capsys.readouterr().err.strip().splitlines()[-1])  # the console exporter: JSON
    assert exported["name"] == "handler" and exported["resource"]["attributes"]["service.name"] == "coopreg-unit"


def test_the_otlp_exporter_posts_the_spans_to_the_configured_endpoint():
    received: list[bytes] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):  # the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}/v1/traces"
        assert tracing.configure("unit", TracingSettings(exporter="otlp", endpoint=endpoint))
        with tracing.publishing("unit_schema", 3) as stamp:
            stamped = stamp([("ce_id", b"1")])
        tracing.shutdown()  # flushes the batch processor
    finally:
        server.shutdown()
    assert [name for name, _ in stamped] == ["ce_id", "traceparent"]
    request = ExportTraceServiceRequest.FromString(received[0])
    (spans,) = request.resource_spans
    assert {a.key: a.value.string_value for a in spans.resource.attributes}["service.name"] == "coopreg-unit"
    (span,) = spans.scope_spans[0].spans
    assert span.name == "outbox publish" and span.kind == span.SPAN_KIND_PRODUCER
    assert f"{int.from_bytes(span.trace_id, 'big'):032x}" == stamped[1][1].decode().split("-")[1]


def test_a_histogram_renders_cumulative_buckets_sum_and_count():
    histogram = Histogram((0.1, 1.0))
    for value in (0.05, 0.1, 0.5, 3.0, -2.0):  # -2: a producer clock ahead of ours counts as 0
        histogram.observe(value)
    assert histogram.lines("x_seconds", consumer="c") == [
        'x_seconds_bucket{consumer="c",le="0.1"} 3',
        'x_seconds_bucket{consumer="c",le="1.0"} 4',
        'x_seconds_bucket{consumer="c",le="+Inf"} 5',
        'x_seconds_sum{consumer="c"} 3.65',
        'x_seconds_count{consumer="c"} 5']


def test_delivery_and_relay_timings_measure_event_age_and_outbox_lag():
    now = datetime.now(timezone.utc)
    timings = DeliveryTimings()
    timings.observe(0.02, [SimpleNamespace(envelope=Envelope(source="s", type="t", time=now - timedelta(seconds=s)))
                           for s in (0.0, 2.0, 120.0)])
    assert (timings.batch.count, timings.age.count) == (1, 3)
    assert 122.0 <= timings.age.sum < 123.0
    assert timings.age.counts[timings.age.bounds.index(2.5)] == 1  # the 2-second-old event
    relay = RelayTimings()
    relay.observe([{"topic": "a.v1", "created_at": now - timedelta(seconds=1)}, {"topic": "a.v1", "created_at": now},
                   {"topic": "b.v1", "created_at": now}])
    assert relay.published == {"a.v1": 2, "b.v1": 1}
    assert relay.lag.count == 3 and 1.0 <= relay.lag.sum < 2.0
