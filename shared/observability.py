"""Health, readiness and Prometheus metrics of a service process, served on its HTTP endpoint
(`shared.subject_endpoint`).

- `GET /health`: the process and its event loop answer.
- `GET /ready`: PostgreSQL answers and the Kafka producer is connected (503 otherwise).
- `GET /metrics`: Prometheus text format, every family with `# HELP` and `# TYPE` (`FAMILIES`) — messages
  consumed, duplicates and dead letters per consumer, processing time, events published per topic, outbox
  backlog, consumer lag per group, topic and partition (every partition of every subscription from the
  start, not only those a group has committed on), histograms of batch processing latency and end-to-end
  event age per consumer and topic, and of the outbox relay lag (`shared/latency.py`), and the process's
  CPU, memory and open files (`process_lines`, the names Prometheus' own clients use).

The figures are read from the delivery pipeline, dead letters and outbox relay the service already has;
nothing on the message path waits for a scrape. A service adds gauges of its own (the bonus service's
late payouts) as a `GaugeSource` in `ServiceContext.gauges`, read at each scrape.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from shared.latency import Histogram


@dataclass(frozen=True)
class Gauge:
    """One reading of a service's own gauge; `service` is added to its labels."""

    name: str
    value: float
    help: str
    labels: dict[str, str] = field(default_factory=dict)


GaugeSource = Callable[[], Awaitable[list[Gauge]]]

# name -> (type, help) of every family a service renders; the dashboard test (tests/unit/deploy) reads it.
FAMILIES: dict[str, tuple[str, str]] = {
    "coopreg_messages_consumed_total": ("counter",
                                        "Messages a consumer applied (duplicates and dead letters included)."),
    "coopreg_duplicates_ignored_total": ("counter", "Messages a consumer recognised as already applied."),
    "coopreg_processing_seconds_total": ("counter", "Seconds a consumer spent processing batches."),
    "coopreg_dead_letters_total": ("counter", "Messages the service sent to a dead-letter queue."),
    "coopreg_events_published_total": ("counter", "Events the outbox relay published, per topic."),
    "coopreg_outbox_backlog": ("gauge", "Outbox rows not yet published."),
    "coopreg_uptime_seconds": ("gauge", "Seconds since the service process started."),
    "coopreg_ready": ("gauge", "1 while /ready answers ready: PostgreSQL answers and the Kafka producer is "
                               "connected."),
    "coopreg_consumer_lag": ("gauge", "Messages on a partition the consumer group has not committed yet."),
    "coopreg_batch_processing_seconds": ("histogram", "How long a consumer's batch transaction took."),
    "coopreg_event_age_seconds": ("histogram", "Age of an event when applied: consumer clock minus its ce_time."),
    "coopreg_outbox_relay_lag_seconds": ("histogram", "How long an event waited in the outbox before publication."),
    "process_cpu_seconds_total": ("counter", "User and system CPU time of the process."),
    "process_resident_memory_bytes": ("gauge", "Resident memory size of the process."),
    "process_virtual_memory_bytes": ("gauge", "Virtual memory size of the process."),
    "process_open_fds": ("gauge", "Open file descriptors of the process."),
    "process_max_fds": ("gauge", "The process's limit of open file descriptors."),
    "process_threads": ("gauge", "Threads of the process."),
    "process_start_time_seconds": ("gauge", "When the process started, in seconds since the epoch."),
}


def family(name: str, families: dict[str, tuple[str, str]] = FAMILIES) -> list[str]:
    kind, text = families[name]
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]


def process_lines(**labels) -> list[str]:
    """The process's own figures, read at the scrape (psutil), under the names Prometheus' clients use."""
    import psutil

    process = psutil.Process()
    with process.oneshot():
        cpu, memory = process.cpu_times(), process.memory_info()
        figures = {"process_cpu_seconds_total": round(cpu.user + cpu.system, 3),
                   "process_resident_memory_bytes": memory.rss, "process_virtual_memory_bytes": memory.vms,
                   "process_open_fds": process.num_fds(), "process_threads": process.num_threads(),
                   "process_start_time_seconds": round(process.create_time(), 3)}
    import resource

    figures["process_max_fds"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    lines: list[str] = []
    for name in sorted(figures):
        lines += [*family(name), _line(name, figures[name], **labels)]
    return lines


def _line(name: str, value, **labels) -> str:
    rendered = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}"


class Observability:
    def __init__(self, ctx, relay, lag_reader=None) -> None:
        self.ctx, self.relay, self.lag_reader = ctx, relay, lag_reader
        self.started = time.time()

    async def metrics(self) -> str:
        name = self.ctx.name
        lines = family("coopreg_messages_consumed_total")
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_messages_consumed_total", d.processed, service=name, consumer=d.consumer,
                               topic=d.topic))
        lines += family("coopreg_duplicates_ignored_total")
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_duplicates_ignored_total", d.duplicates, service=name, consumer=d.consumer))
        lines += family("coopreg_processing_seconds_total")
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_processing_seconds_total", round(d.busy_seconds, 3), service=name,
                               consumer=d.consumer))
        lines += [*family("coopreg_dead_letters_total"),
                  _line("coopreg_dead_letters_total", self.ctx.dead_letters.sent, service=name),
                  *family("coopreg_events_published_total"),
                  *[_line("coopreg_events_published_total", count, service=name, topic=topic)
                    for topic, count in sorted(self.relay.timings.published.items())],
                  *family("coopreg_outbox_backlog"),
                  _line("coopreg_outbox_backlog", await self.relay.backlog(), service=name),
                  *family("coopreg_uptime_seconds"),
                  _line("coopreg_uptime_seconds", round(time.time() - self.started), service=name),
                  *family("coopreg_ready"),
                  _line("coopreg_ready", int((await self.ready())[0]), service=name)]
        lines += self._histograms()
        lines += await self._gauges()
        if self.lag_reader is not None:
            lines += family("coopreg_consumer_lag")
            for (group, topic, partition), lag in sorted((await self.lag_reader()).items()):
                lines.append(_line("coopreg_consumer_lag", lag, service=name, consumer=group, topic=topic,
                                   partition=partition))
        lines += process_lines(service=name)
        return "\n".join(lines) + "\n"

    async def _gauges(self) -> list[str]:
        lines, typed = [], set()
        for source in self.ctx.gauges:
            for gauge in await source():
                if gauge.name not in typed:
                    typed.add(gauge.name)
                    lines += [f"# HELP {gauge.name} {gauge.help}", f"# TYPE {gauge.name} gauge"]
                lines.append(_line(gauge.name, gauge.value, service=self.ctx.name, **gauge.labels))
        return lines

    def _histograms(self) -> list[str]:
        name, lines = self.ctx.name, family("coopreg_batch_processing_seconds")
        for d in self.ctx.deliveries:
            lines += d.timings.batch.lines("coopreg_batch_processing_seconds", service=name, consumer=d.consumer,
                                           topic=d.topic)
        lines += family("coopreg_event_age_seconds")
        for d in self.ctx.deliveries:
            lines += d.timings.age.lines("coopreg_event_age_seconds", service=name, consumer=d.consumer, topic=d.topic)
        lines += family("coopreg_outbox_relay_lag_seconds")
        return lines + self.relay.timings.lag.lines("coopreg_outbox_relay_lag_seconds", service=name)

    async def ready(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.ctx.pool.fetchval("SELECT 1"), 2)
        except Exception:  # noqa: BLE001 - readiness answers, it does not raise
            return False, "database unavailable"
        if not self.ctx.producer.client.cluster.brokers():
            return False, "kafka unavailable"
        return True, "ready"


HTTP_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_FAMILIES: dict[str, tuple[str, str]] = {
    "coopreg_http_requests_total": ("counter", "HTTP requests answered, by method, route template and status."),
    "coopreg_http_request_duration_seconds": ("histogram", "How long an HTTP request took to answer, by method, "
                                                           "route template and status."),
}


class RequestMetrics:
    """Requests counted and timed by method, route template (`/persons/{person_id}`, never the path itself:
    no person id in a label, and a bounded number of series) and status."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.latency: dict[tuple[str, str, str], Histogram] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        if key not in self.latency:
            self.latency[key] = Histogram(HTTP_SECONDS)
        self.latency[key].observe(seconds)

    def lines(self) -> list[str]:
        lines = family("coopreg_http_requests_total", HTTP_FAMILIES)
        series = sorted(self.latency.items())
        for (method, route, status), histogram in series:
            lines.append(_line("coopreg_http_requests_total", histogram.count, service=self.service, method=method,
                               route=route, status=status))
        lines += family("coopreg_http_request_duration_seconds", HTTP_FAMILIES)
        for (method, route, status), histogram in series:
            lines += histogram.lines("coopreg_http_request_duration_seconds", service=self.service, method=method,
                                     route=route, status=status)
        return lines
