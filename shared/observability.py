"""Health, readiness and Prometheus metrics of a service process, served on its HTTP endpoint
(`shared.subject_endpoint`).

- `GET /health`: the process and its event loop answer.
- `GET /ready`: PostgreSQL answers and the Kafka producer is connected (503 otherwise).
- `GET /metrics`: Prometheus text format — messages consumed, duplicates and dead letters per consumer,
  processing time, events published per topic, outbox backlog, consumer lag per group, and histograms of
  batch processing latency and end-to-end event age per consumer and topic, and of the outbox relay lag
  (`shared/latency.py`).

The figures are read from the delivery pipeline, dead letters and outbox relay the service already has;
nothing on the message path waits for a scrape.
"""
from __future__ import annotations

import asyncio
import time




def _line(name: str, value, **labels) -> str:
    rendered = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}"


class Observability:
    def __init__(self, ctx, relay, lag_reader=None) -> None:
        self.ctx, self.relay, self.lag_reader = ctx, relay, lag_reader
        self.started = time.time()

    async def metrics(self) -> str:
        name = self.ctx.name
        lines = ["# TYPE coopreg_messages_consumed_total counter"]
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_messages_consumed_total", d.processed, service=name, consumer=d.consumer,
                               topic=d.topic))
        lines.append("# TYPE coopreg_duplicates_ignored_total counter")
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_duplicates_ignored_total", d.duplicates, service=name, consumer=d.consumer))
        lines.append("# TYPE coopreg_processing_seconds_total counter")
        for d in self.ctx.deliveries:
            lines.append(_line("coopreg_processing_seconds_total", round(d.busy_seconds, 3), service=name,
                               consumer=d.consumer))
        lines += ["# TYPE coopreg_dead_letters_total counter",
                  _line("coopreg_dead_letters_total", self.ctx.dead_letters.sent, service=name),
                  "# TYPE coopreg_events_published_total counter",
                  *[_line("coopreg_events_published_total", count, service=name, topic=topic)
                    for topic, count in sorted(self.relay.timings.published.items())],
                  "# TYPE coopreg_outbox_backlog gauge",
                  _line("coopreg_outbox_backlog", await self.relay.backlog(), service=name),
                  "# TYPE coopreg_uptime_seconds gauge",
                  _line("coopreg_uptime_seconds", round(time.time() - self.started), service=name)]
        lines += self._histograms()
        for service_metrics in self.ctx.metrics:
            lines += await service_metrics()
        if self.lag_reader is not None:
            lines.append("# TYPE coopreg_consumer_lag gauge")
            for (group, topic), lag in (await self.lag_reader()).items():
                lines.append(_line("coopreg_consumer_lag", lag, service=name, consumer=group, topic=topic))
        return "\n".join(lines) + "\n"

    def _histograms(self) -> list[str]:
        name, lines = self.ctx.name, ["# TYPE coopreg_batch_processing_seconds histogram"]
        for d in self.ctx.deliveries:
            lines += d.timings.batch.lines("coopreg_batch_processing_seconds", service=name, consumer=d.consumer,
                                           topic=d.topic)
        lines.append("# TYPE coopreg_event_age_seconds histogram")
        for d in self.ctx.deliveries:
            lines += d.timings.age.lines("coopreg_event_age_seconds", service=name, consumer=d.consumer, topic=d.topic)
        lines.append("# TYPE coopreg_outbox_relay_lag_seconds histogram")
        return lines + self.relay.timings.lag.lines("coopreg_outbox_relay_lag_seconds", service=name)

    async def ready(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.ctx.pool.fetchval("SELECT 1"), 2)
        except Exception:  # noqa: BLE001 - readiness answers, it does not raise
            return False, "database unavailable"
        if not self.ctx.producer.client.cluster.brokers():
            return False, "kafka unavailable"
        return True, "ready"
