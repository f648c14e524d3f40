"""Optional OpenTelemetry tracing across services, carried in the Kafka headers as W3C `traceparent`.

Off by default (`COOPREG_TRACING_EXPORTER=none`): every hook below is then a no-op. When on:

- an event staged in the outbox inside a span carries that span's `traceparent` in its stored headers;
- the outbox relay makes one span per batch published (`outbox publish`), linked to the staged contexts;
  an event staged outside any span is stamped with the relay span's context;
- the delivery pipeline makes one span per batch applied (`<topic> process`): its parent is the first
  record's `traceparent`, the other records' contexts are links. The handler runs inside it, so what it
  publishes continues the trace in the next service: one trace end to end, beside `ce_correlationid`.

Spans carry topic, consumer group, batch size and outcome only: never keys, subjects, payloads or error
messages, which may hold personal data.
"""
from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from typing import Iterator

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.settings import TracingSettings

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_state: dict = {"tracer": None, "provider": None}


def configure(service: str, settings: TracingSettings, processor: SpanProcessor | None = None) -> bool:
    """Turn tracing on for this process as `settings` say; `processor` (tests) replaces the exporter.
    Returns whether tracing is on."""
    shutdown()
    if processor is None:
        processor = _processor(settings)
    if processor is None:
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": f"coopreg-{service}"}),
                              sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)))
    provider.add_span_processor(processor)
    _state.update(provider=provider, tracer=provider.get_tracer("coopreg"))
    return True


def _processor(settings: TracingSettings) -> SpanProcessor | None:
    if settings.exporter == "console":
        return SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr,
                                                       formatter=lambda span: span.to_json(indent=None) + "\n"))
    if settings.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.endpoint))
    return None


def shutdown() -> None:
    """Flush and stop the exporter; tracing is off afterwards."""
    provider = _state["provider"]
    _state.update(provider=None, tracer=None)
    if provider is not None:
        provider.shutdown()


def enabled() -> bool:
    return _state["tracer"] is not None


def staged_headers() -> list[tuple[str, bytes]]:
    """The current span's trace context as headers of an event staged in the outbox; [] when tracing is
    off or no span is current."""
    if _state["tracer"] is None:
        return []
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return [(TRACEPARENT, carrier[TRACEPARENT].encode())] if TRACEPARENT in carrier else []


def _context_of(headers) -> trace.SpanContext | None:
    """The remote span context a record's headers carry, if any and valid."""
    for name, value in headers or ():
        if name == TRACEPARENT and value:
            text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
            span = trace.get_current_span(_PROPAGATOR.extract({TRACEPARENT: text}))
            context = span.get_span_context()
            return context if context.is_valid else None
    return None


def traced_batch(apply):
    """Decorate `Delivery._transaction`: one consumer span per batch applied (when tracing is on)."""
    @functools.wraps(apply)
    async def traced(delivery, batch, handler):
        tracer = _state["tracer"]
        if tracer is None:
            return await apply(delivery, batch, handler)
        contexts = list({(c.trace_id, c.span_id): c for c in (_context_of(i.record.headers) for i in batch)
                         if c is not None}.values())
        parent = trace.set_span_in_context(trace.NonRecordingSpan(contexts[0])) if contexts else None
        with tracer.start_as_current_span(
                f"{delivery.topic or 'batch'} process", context=parent, kind=SpanKind.CONSUMER,
                links=[Link(c) for c in contexts[1:]], record_exception=False, set_status_on_exception=False,
                attributes={"messaging.system": "kafka", "messaging.operation.type": "process",
                            "messaging.destination.name": delivery.topic,
                            "messaging.consumer.group.name": delivery.consumer,
                            "messaging.batch.message_count": len(batch)}) as span:
            try:
                return await apply(delivery, batch, handler)
            except BaseException as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                raise
    return traced


@contextmanager
def publishing(schema: str, count: int) -> Iterator:
    """One producer span around a relay batch. Yields `stamp(headers)`, which links the span to a staged
    trace context, or adds the span's own when the event was staged outside any span."""
    tracer = _state["tracer"]
    if tracer is None:
        yield unchanged
        return
    with tracer.start_as_current_span(
            "outbox publish", context=otel_context.Context(), kind=SpanKind.PRODUCER,
            record_exception=False, set_status_on_exception=False,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "send",
                        "messaging.batch.message_count": count, "coopreg.outbox.schema": schema}) as span:
        own = staged_headers()
        linked: set = set()

        def stamp(headers: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
            staged = _context_of(headers)
            if staged is None:
                return headers + own
            if (staged.trace_id, staged.span_id) not in linked:
                linked.add((staged.trace_id, staged.span_id))
                span.add_link(staged)
            return headers

        try:
            yield stamp
        except BaseException as error:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise


def unchanged(headers):
    return headers
