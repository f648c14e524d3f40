"""The purchases service's erasure takes its rows in the order its consumers take them, on the real
PostgreSQL: a consent batch that keeps a household's new block on product-level data (its rule first, then the
line detail of the household's receipts) and a person's erasure meet without a deadlock."""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from coopreg.simulate.receipts import pos_purchase
from services.purchases.adapters import product_data, receipts
from services.purchases.adapters.product_data import ProductDataConsent
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.retention import erase_person
from tests.integration.test_receipts import SENSITIVE, T0, card_changes, card_state, consent_of, fresh_number, record
from tests.support.stack import eventually


async def test_an_erasure_beside_a_consent_batch_blocking_collection_does_not_deadlock(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    household = f"h-{uuid.uuid4().hex[:8]}"
    person, other, number = f"p-{household}", f"q-{household}", fresh_number()
    await card_changes(pool, card_state(config, number, (person, household, T0, None)))
    await consent_of(pool, person, household, 1)
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1), SENSITIVE)
    await record(pool, config, receipt)

    async with pool.acquire() as consents, pool.acquire() as erasing:
        async with consents.transaction():
            # the consent batch's first step: another member of the household forbids collection
            newly = await product_data.keep_latest(consents, [
                ProductDataConsent(other, 1, household, True, False, False, False, False),
                ProductDataConsent(person, 2, household, False, False, False, False, False)])
            assert newly == [household]
            erasure = asyncio.create_task(_erase(erasing, person))
            await eventually(lambda: pool.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity"
                                                   " WHERE pid = $1", erasing.get_server_pid()), timeout=10)
            # its next step, while the erasure waits: the household's receipts lose their line detail
            await receipts.remove_line_detail(consents, newly)
        # the erasure goes on once the consent batch commits; a deadlock would have failed one of the two
        rows = await asyncio.wait_for(erasure, 10)
    assert rows["rows"] >= 3  # the receipt, the card's allocation, the product-data rule
    assert not await pool.fetchval("SELECT count(*) FROM receipts WHERE person_id = $1", person)


async def _erase(conn, person_id: str) -> dict[str, int]:
    async with conn.transaction():
        return await erase_person(conn, person_id)
