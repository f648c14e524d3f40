"""Three instances of purchases and of bonus in one consumer group each, instances leaving and joining
while receipts flow (every change a rebalance, and a batch in flight may be redelivered to another
instance): the totals are exactly those of one instance, which the oracle computes from the input."""
from __future__ import annotations

import os

from coopreg.chaos.config import ChaosConfig, FaultCounts
from coopreg.chaos.runner import run_chaos


def three_instances(log_dir) -> ChaosConfig:
    # Rebalances disturb no one: the shared stack, with a database and topics of this session's own.
    return ChaosConfig(
        receipts=2000, seed=17, instances=3, publish_seconds=25, name=f"multi_instance_{os.getpid()}",
        stall_seconds=60, kill_during_close=False, stack=None, log_dir=log_dir,
        faults=FaultCounts(kill_purchases=0, kill_bonus=0, kafka_restart=0, kafka_kill=0, postgres_restart=0,
                           leave_and_join=2))


async def test_three_instances_joining_and_leaving_give_the_single_instance_totals(tmp_path):
    report = await run_chaos(three_instances(tmp_path), say=lambda text: None)
    figures = report.figures
    assert [f.kind for f in report.faults] == ["leave_and_join", "leave_and_join"]
    assert (figures["lost"], figures["double_counted"]) == (0, 0)
    assert (figures["ledger_diff_cents"], figures["payouts_diff_cents"]) == (0, 0)
    assert figures["payouts_paid"] == figures["payouts_expected"] and figures["payouts_contradicting"] == 0
    assert report.ok
