"""A deliberately broken build makes the whole-register chaos run fail: the services started with
tests/support/broken_builds on their path and COOPREG_BROKEN_BUILD naming what is broken (no hook in the
production code). No faults are needed: the month's traffic itself repeats commands under the same event
id (a retrying producer) and withdraws permissions, and the oracle must notice what the broken part did."""
from __future__ import annotations

import os

from coopreg.chaos import stack
from coopreg.chaos.config import ChaosConfig, FaultCounts
from coopreg.chaos.runner import run_chaos
from shared.settings import PROJECT_ROOT

BROKEN_BUILDS = PROJECT_ROOT / "tests" / "support" / "broken_builds"
NO_FAULTS = FaultCounts(kill_purchases=0, kill_bonus=0, kafka_restart=0, kafka_kill=0, postgres_restart=0)


def broken(part: str, log_dir) -> ChaosConfig:
    """The same small month for every broken build: one instance of each service, no faults."""
    return ChaosConfig(
        scenario="register", receipts=300, seed=5, instances=1, publish_seconds=20, faults=NO_FAULTS,
        kill_during_close=False, kill_mid_erasure=False, name=f"chaos_broken_{os.getpid()}", stall_seconds=30,
        stack=stack.of_this_process(), log_dir=log_dir,
        service_environ={"PYTHONPATH": str(BROKEN_BUILDS), "COOPREG_BROKEN_BUILD": part})


async def test_a_segment_that_ignores_withdrawals_fails_the_run(tmp_path):
    report = await run_chaos(broken("segment_withdrawals", tmp_path), say=lambda text: None)
    figures = report.figures
    # everyone who withdrew the e-mail permission (S-Bank, customer service, My data) stays in the segment
    assert figures["segment_leaks"] == 6, figures
    assert not report.ok


async def test_an_inbox_that_passes_repeats_on_fails_the_run(tmp_path):
    report = await run_chaos(broken("inbox", tmp_path), say=lambda text: None)
    figures = report.figures
    # each repeated command carried out again: a second invitation under the same id refused, a mover taken
    # out of their new household by the repeated leave, a blocked card blocked again ...
    assert figures["dlq_unexpected"] > 0, figures
    assert "duplicate_id" in figures["dlq_reasons"]["membership.commands.v1"], figures
    assert not report.ok
