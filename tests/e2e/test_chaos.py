"""Proof under faults, small: a seeded month of POS traffic with bad inputs, consumed while the services
are SIGKILLed, the broker is killed and PostgreSQL restarted in immediate mode, on a stack of the test's
own (other ports, so the shared stack's users are not disturbed). The register must end exactly where the
oracle, computed from the input by the pure domain rules, says. `coopreg chaos` is the full run."""
from __future__ import annotations

import os

from coopreg.chaos import stack
from coopreg.chaos.config import ChaosConfig, FaultCounts
from coopreg.chaos.runner import run_chaos


def small(log_dir) -> ChaosConfig:
    # The stack is this session's own (free ports, its own directory): sessions side by side never meet.
    return ChaosConfig(
        receipts=3000, seed=9, publish_seconds=30, name=f"chaos_test_{os.getpid()}", stall_seconds=60,
        broker_outage_seconds=3, stack=stack.of_this_process(), log_dir=log_dir,
        faults=FaultCounts(kill_purchases=1, kill_bonus=1, kafka_restart=0, kafka_kill=1, postgres_restart=0,
                           postgres_kill=1, pause=1, net_reset=1, net_blackhole=1))


async def test_no_purchase_is_lost_or_counted_twice_and_every_cent_is_right_under_faults(tmp_path):
    report = await run_chaos(small(tmp_path), say=lambda text: None)
    figures = report.figures
    # every fault was injected: two process kills, the broker killed, PostgreSQL stopped in immediate mode, an
    # instance paused past its session timeout, connections reset and blackholed by the proxy, a kill mid-close
    assert figures["faults_injected"] == {"kafka_kill": 1, "kill": 2, "kill_bonus_closing": 1, "net_blackhole": 1,
                                          "net_reset": 1, "pause": 1, "postgres_kill": 1}
    # nothing lost, nothing doubled, every cent of every household-month and payout as the oracle says
    assert (figures["lost"], figures["double_counted"]) == (0, 0)
    assert (figures["ledger_diff_cents"], figures["payouts_diff_cents"]) == (0, 0)
    assert figures["stored"] == 3000 and figures["duplicates_ignored"] == 30
    # every conflicting duplicate flagged, every malformed message in the DLQ with its reason, nothing else
    assert figures["conflicts_flagged"] == 3 and figures["conflicts_unexpected"] == 0
    assert figures["dlq"] == figures["malformed"] == 6 and figures["dlq_unexpected"] == 0
    assert figures["month"] == "closed" and figures["statements"] == figures["households_expected"]
    assert report.ok
