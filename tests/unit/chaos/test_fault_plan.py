"""The chaos run's fault schedule: seeded, every kind asked for, and the kills round every service."""
from __future__ import annotations

import random
from collections import Counter

from coopreg.chaos.config import FaultCounts
from coopreg.chaos.faults import Injected, by_kind, plan_faults

SERVICES = ("cards", "purchases", "bonus", "membership", "consent", "digital", "register_api")


def test_the_plan_is_a_function_of_the_seed_and_holds_every_fault_asked_for():
    counts = FaultCounts(kill_purchases=0, kill_bonus=0, kill_services=7, pause=2, net_latency=1, net_reset=1,
                         net_blackhole=1, postgres_kill=1, two_at_once=2)
    plan = plan_faults(counts, 100, random.Random(5), SERVICES)
    assert plan == plan_faults(counts, 100, random.Random(5), SERVICES)
    assert plan != plan_faults(counts, 100, random.Random(6), SERVICES)
    assert len(plan) == counts.total == 18
    assert Counter(f.kind for f in plan) == {"kill": 7, "pause": 2, "net_latency": 1, "net_reset": 1,
                                             "net_blackhole": 1, "postgres_kill": 1, "two_at_once": 2,
                                             "kafka_restart": 1, "kafka_kill": 1, "postgres_restart": 1}
    # as many kills as services: every service, the register API too, is killed once
    assert sorted(f.target for f in plan if f.kind == "kill") == sorted(SERVICES)
    assert [f.at for f in plan] == sorted(f.at for f in plan) and all(1 <= f.at <= 100 for f in plan)


def test_the_report_counts_the_faults_by_kind():
    injected = [Injected("kill", "cards-1", 1, 2), Injected("pause", "bonus-2", 5, 14), Injected("kill", "api", 9, 1)]
    assert by_kind(injected) == {"kill": 2, "pause": 1}
