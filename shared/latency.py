"""Latency histograms for the Prometheus endpoint (shared/observability.py), fed on the message path.

Observing costs a bisect and two additions; nothing waits for a scrape.

- `DeliveryTimings`: per consumer, how long each batch's transaction took and how old each event was when
  it was applied (now − the envelope's `ce_time`: end-to-end age, producer clock to consumer clock).
- `RelayTimings`: per service, how long each event waited in the outbox (the row's `created_at` to its
  publication) and how many events were published per topic.
"""
from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter

BATCH_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
AGE_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def _labels(**labels) -> str:
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


class Histogram:
    """A Prometheus histogram: cumulative buckets (`le`, inclusive), sum and count."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one: above every bound (+Inf only)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        value = max(value, 0.0)  # a producer clock ahead of ours is no negative latency
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value
        self.count += 1

    def lines(self, name: str, **labels) -> list[str]:
        out, cumulative = [], 0
        for bound, count in zip((*map(repr, self.bounds), "+Inf"), self.counts, strict=True):
            cumulative += count
            out.append(f"{name}_bucket{{{_labels(**labels, le=bound)}}} {cumulative}")
        out.append(f"{name}_sum{{{_labels(**labels)}}} {round(self.sum, 6)}")
        out.append(f"{name}_count{{{_labels(**labels)}}} {self.count}")
        return out


class DeliveryTimings:
    def __init__(self) -> None:
        self.batch = Histogram(BATCH_SECONDS)
        self.age = Histogram(AGE_SECONDS)

    def observe(self, took: float, batch) -> None:
        self.batch.observe(took)
        now = time.time()
        for item in batch:
            self.age.observe(now - item.envelope.time.timestamp())


class RelayTimings:
    def __init__(self, published: Counter[str] | None = None) -> None:
        self.lag = Histogram(AGE_SECONDS)
        self.published: Counter[str] = Counter() if published is None else published  # shared with other publishers

    def observe(self, rows) -> None:
        now = time.time()
        for row in rows:
            self.lag.observe(now - row["created_at"].timestamp())
            self.published[row["topic"]] += 1
