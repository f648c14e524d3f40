"""docs/integrations/onboarding.md run as written: its `sh onboarding` blocks, in order, with the Kafka
distribution's console producer and consumer against the register, then the payout checked."""
from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from contracts.events.bonus import BonusPayout, BonusStatement
from contracts.topics import BONUS_PAYOUTS, BONUS_STATEMENTS
from coopreg.client import read_topic
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.usefixtures("services")

GUIDE = PROJECT_ROOT / "docs" / "integrations" / "onboarding.md"
BLOCK = re.compile(r"```sh onboarding\n(.*?)```", re.S)


def guide_script() -> str:
    blocks = BLOCK.findall(GUIDE.read_text())
    assert len(blocks) >= 6  # where the register is, customers, households, cards, purchases, the close
    return "set -eu\n" + "\n".join(blocks)


async def untouched_month(db) -> str:
    """A month with tier tables that no other test has booked or closed (test_demo and test_cli_simulate close
    one two and three years ago): in a closed month the guide's purchases would be adjustments, never shown
    month-to-date."""
    touched = {r["month"] for r in await db.fetch("SELECT month FROM bonus.months")}
    months = [date(year, month, 1) for year in range(2022, 2025) for month in range(1, 13)]
    return f"{random.choice([m for m in months if m not in touched]):%Y-%m}"


def test_the_guide_has_its_steps_in_blocks_the_test_runs():
    script = guide_script()
    for needed in ("register_customer", "join_cooperative", "invite_to_household", "accept_invitation",
                   "issue_card", "register_member_number", "coopreg.MembershipCommand", "coopreg.CardCommand",
                   "CloseBonusMonth", "wait_for bonus.payouts.v1"):
        assert needed in script, needed


async def test_the_guide_run_with_console_tools_ends_with_the_first_payout(settings, db, kafka_console_tools):
    month = await untouched_month(db)
    env = {**os.environ, "PATH": f"{kafka_console_tools}:{os.environ['PATH']}", "MONTH": month,
           "BOOTSTRAP": settings.kafka.bootstrap_servers, "PREFIX": settings.kafka.topic_prefix}
    done = await asyncio.to_thread(subprocess.run, ["bash", "-c", guide_script()], env=env, capture_output=True,
                                   text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    payouts = [BonusPayout.model_validate_json(r.value) for r in await read_topic(settings, BONUS_PAYOUTS)
               if r.key in (b"h-maija", b"h-pekka")]
    assert [(p.household_id, p.month) for p in payouts] == [("h-maija", month)]  # none for the household paid nothing
    kinds = {t.kind: t.amount_cents for t in payouts[0].transactions}
    assert kinds["bonus"] > 0 and kinds["payment_method_benefit"] == 150  # 0.5 % of the 300 € paid by card
    assert payouts[0].contribution_cents == 0
    records = await read_topic(settings, BONUS_STATEMENTS)
    statements = {r.key: BonusStatement.model_validate_json(r.value) for r in records
                  if r.key in (b"h-maija", b"h-pekka")}
    assert statements[b"h-maija"].tier_total_cents == 45000  # the beer does not count toward the tier
    assert statements[b"h-pekka"].tier_total_cents == 0 and statements[b"h-pekka"].bonus_cents == 0


@pytest.fixture(scope="session")
def kafka_console_tools(settings) -> Path:
    """kafka-console-producer.sh and kafka-console-consumer.sh as the Kafka distribution has them: the
    kafka-tools jars fetched once into the stack (deploy/kafka/tools-pom.xml) and two launchers."""
    from coopreg.stack.kafka import ensure_console_tools
    return ensure_console_tools(settings.stack.dir)
