"""The whole system from deploy/docker-compose.yml: the project's image built from deploy/Dockerfile, Kafka,
PostgreSQL, the one-shot provisioning and every service brought up by docker-compose (production mode,
secrets generated for the run), a POS receipt sent in and the month's payout read out, then all taken down.

Marked `compose`: it needs a Docker engine and docker-compose, and is deselected where there are none
(tests/conftest.py); `make test` on the container stack always runs it.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import asyncpg
import httpx
import orjson
import pytest
from pydantic import SecretStr

from contracts.events.bonus import CloseBonusMonth
from contracts.events.cards import IssueCard
from contracts.topics import BONUS_COMMANDS, BONUS_PAYOUTS, CARD_COMMANDS, MEMBERSHIP_HOUSEHOLDS, POS_PURCHASES
from coopreg.client import RegisterClient, read_topic
from coopreg.simulate.population import Household, Member, household_state
from coopreg.simulate.receipts import card_number, pos_purchase
from shared.settings import KafkaSettings, PostgresSettings, Settings
from tests.support import engine
from tests.support.compose import ComposeRun
from tests.support.containers import sweep_leftovers
from tests.support.stack import eventually

pytestmark = pytest.mark.compose
MONTH, AT = "2026-03", datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)  # a month long over: it may be closed


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    engine.build_stack_images()  # the engine up; the Kafka and PostgreSQL images the override runs
    sweep_leftovers(engine.client())
    run = ComposeRun(tmp_path_factory.mktemp("compose"))
    started = time.monotonic()
    try:
        run.compose("build", "provision")  # one build of deploy/Dockerfile: every service runs that image
        built = time.monotonic()
        run.compose("up", "--detach", "--no-build")
        up = time.monotonic()
        print(f"\n[compose] image built in {built - started:.1f} s, system up in {up - built:.1f} s")
        yield run
    except BaseException:
        print(run.logs())
        raise
    finally:
        run.down()


def _settings(run: ComposeRun) -> Settings:
    """The test's view of the compose system: its broker, and its database as the operator's role."""
    return Settings(kafka=KafkaSettings(bootstrap_servers=f"127.0.0.1:{run.kafka_port}", topic_prefix=""),
                    pg=PostgresSettings(host="127.0.0.1", port=run.pg_port, database="coopreg",
                                        password=SecretStr(run.secrets["COOPREG_PG_PASSWORD"])))


async def _all_ready(run: ComposeRun) -> bool:
    ports = [*run.service_ports.values(), run.api_port]
    async with httpx.AsyncClient(timeout=2) as http:
        for port in ports:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/ready")).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
    return True


async def test_a_pos_receipt_goes_in_and_the_months_payout_comes_out(system):
    settings = _settings(system)
    await eventually(lambda: _all_ready(system), timeout=180, interval=1)
    # The provisioning ran: every service logs in as its own role, which owns its schema.
    db = await asyncpg.connect(host="127.0.0.1", port=system.pg_port, user=settings.pg.user, database="coopreg",
                               password=settings.pg.password.get_secret_value())
    try:
        owners = dict(await db.fetch("SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace "
                                     "WHERE nspname = ANY($1::text[])", ["cards", "purchases", "bonus"]))
        assert owners == {"cards": "coopreg_cards", "purchases": "coopreg_purchases", "bonus": "coopreg_bonus"}

        household, seq = f"h-{uuid.uuid4().hex[:8]}", uuid.uuid4().int % 10**9
        number = card_number(seq)
        async with RegisterClient(settings) as client:
            await client.send(CARD_COMMANDS, f"{household}-a", IssueCard(
                card_number=number, card_type="cash_card", person_id=f"{household}-a", household_id=household,
                cooperative_id="hok-elanto", membership_id=f"m-{household}",
                valid_from=datetime(2025, 1, 1, tzinfo=timezone.utc)))
            await client.flush()

            async def card_known():
                return await db.fetchval("SELECT count(*) FROM purchases.card_allocations WHERE household_id = $1",
                                         household) == 1
            await eventually(card_known, timeout=60)

            receipt = pos_purchase(f"r-{household}", number, AT, [("grocery", 30000)], payment="s_etukortti_debit")
            await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
            await client.flush()

            async def accepted():
                return await db.fetchval("SELECT status FROM purchases.receipts WHERE receipt_id = $1",
                                         receipt.receipt_id) == "accepted" and \
                    await db.fetchval("SELECT receipts FROM bonus.accruals WHERE household_id = $1", household) == 1
            await eventually(accepted, timeout=60)

            # the household as membership names it, with the main member's benefit account: its payout is sent
            state = household_state(Household(household, "hok-elanto", (Member(f"{household}-a", number, "cash_card"),),
                                              30000))
            await client.send(MEMBERSHIP_HOUSEHOLDS, household, state)
            await client.flush()

            async def account_known():
                return await db.fetchval("SELECT benefit_account IS NOT NULL FROM bonus.household_accounts"
                                         " WHERE household_id = $1", household)
            await eventually(account_known, timeout=60)

            await client.send(BONUS_COMMANDS, MONTH, CloseBonusMonth(month=MONTH))
            await client.flush()

        async def payouts():
            records = await read_topic(settings, BONUS_PAYOUTS, timeout=3)
            return [orjson.loads(r.value) for r in records if r.key == household.encode()]
        [payout] = await eventually(payouts, timeout=90, interval=1)
    finally:
        await db.close()
    # 300 € in the month reaches the 2.0 % tier: 6.00 €; paid with the S-Etukortti Visa, 0.5 % of it: 1.50 €
    assert (payout["month"], payout["due_on"], payout["rate_bp"]) == (MONTH, "2026-04-10", 200)
    assert payout["transactions"] == [{"kind": "bonus", "amount_cents": 600},
                                      {"kind": "payment_method_benefit", "amount_cents": 150}]
