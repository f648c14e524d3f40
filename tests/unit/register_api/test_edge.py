"""The edge's pure parts: token buckets per key, and the names the audit log accepts as actors."""
from __future__ import annotations

import pytest

from services.register_api.domain.access import conflicting_roles, valid_actor
from services.register_api.entrypoints.edge import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_burst_then_waits_for_the_refill_and_other_keys_are_apart():
    clock = Clock()
    limiter = RateLimiter(60, clock)  # one a second, bursts of 60
    assert [limiter.take("a") for _ in range(60)] == [0.0] * 60
    assert limiter.take("a") == pytest.approx(1.0)
    assert limiter.take("b") == 0.0
    clock.now = 1.0
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0


def test_no_limit_when_zero_and_idle_keys_are_forgotten():
    assert all(RateLimiter(0).take("a") == 0.0 for _ in range(1000))
    clock = Clock()
    limiter = RateLimiter(10, clock, max_keys=3)
    for key in "abc":
        limiter.take(key)
    clock.now = 61.0
    limiter.take("d")
    assert set(limiter.buckets) == {"d"}


@pytest.mark.parametrize("name, ok", [
    ("anna.virtanen", True), ("customer:p-1", True), ("Åsa Öberg", True), ("x" * 128, True),
    ("x" * 129, False), ("", False), ("anna\n", False), ("an\x00na", False), ("anna\u202e", False),
    ("a\u200bb", False), (" anna", False), (42, False),
])
def test_an_actor_is_a_plain_printable_name(name, ok):
    assert valid_actor(name) is ok


def test_a_customers_role_conflicts_with_every_staff_role_only():
    assert conflicting_roles({"data_subject", "auditor"}) and conflicting_roles({"data_subject", "finance"})
    assert not conflicting_roles({"data_subject"}) and not conflicting_roles({"auditor", "customer_service"})
