"""The no-collection block in the bonus service, on the real PostgreSQL: a household that forbade collecting
product-level purchase data keeps no exclusion naming a line or its category (medicine, alcohol …) in the
lineage nor in its months' exclusions by reason — neither from purchases booked before the block nor from
events published before it and booked after — while every figure Bonus is computed from stays."""
from __future__ import annotations

from datetime import date

import orjson

from contracts.events.consent import ConsentState, Permissions
from contracts.events.purchases import Exclusion
from services.bonus.application.keep_product_data_blocks import when_consent_changes_keep_product_data_blocks
from tests.integration.test_bonus_month import book, close, month_at, new_id, payouts
from tests.integration.test_bonus_statements import published_statements
from tests.support.consent import tombstone
from tests.support.factories import accepted, incoming

WHOLE_RECEIPT = Exclusion(line_no=None, reason="paid_with_gift_card", cents=500)


def with_lines(receipt: str, household: str, day: int, cents: int, person: str = "p1", month: int = 1):
    purchase = accepted(receipt, household, month_at(2048, month, day), cents, person=person)
    return purchase.model_copy(update={"excluded": [
        Exclusion(line_no=2, reason="medicine", cents=1290), Exclusion(line_no=3, reason="alcohol", cents=990),
        WHOLE_RECEIPT]})


async def consent(pool, person: str, household: str | None, version: int, collection: bool = True):
    state = ConsentState(person_id=person, version=version, household_id=household, blocks=[],
                         permissions=Permissions(email=False, sms=False), marketing_prohibited=False,
                         product_data_collection_blocked=collection, product_data_targeting_blocked=collection,
                         product_data_services_blocked=False)
    async with pool.acquire() as conn, conn.transaction():
        await when_consent_changes_keep_product_data_blocks(conn, [incoming(state)])


async def lineage_exclusions(pool, household: str) -> list[list[dict]]:
    rows = await pool.fetch("SELECT excluded FROM purchases WHERE household_id = $1 ORDER BY purchased_at",
                            household)
    return [orjson.loads(r["excluded"]) for r in rows]


async def by_reason(pool, household: str) -> dict[str, int]:
    rows = await pool.fetch("SELECT reason, cents FROM accrual_exclusions WHERE household_id = $1", household)
    return {r["reason"]: r["cents"] for r in rows}


WHOLE = [{"line_no": None, "reason": "paid_with_gift_card", "cents": 500}]


async def test_applying_the_block_removes_line_detail_already_booked_and_bonus_stays(pools):
    pool, household, neighbour, anna = pools["bonus"], new_id("h"), new_id("h"), new_id("p")
    await book(pool, with_lines(new_id("r"), household, 3, 30000, person=anna),
               with_lines(new_id("r"), household, 9, 25000, person=new_id("p")),
               with_lines(new_id("r"), neighbour, 9, 25000))
    assert await by_reason(pool, household) == {"medicine": 2580, "alcohol": 1980, "paid_with_gift_card": 1000}

    await consent(pool, anna, household, 1)
    await consent(pool, anna, household, 2)  # the block again: nothing more to do

    assert await lineage_exclusions(pool, household) == [WHOLE, WHOLE]
    assert await by_reason(pool, household) == {"paid_with_gift_card": 1000}
    assert await by_reason(pool, neighbour) == {"medicine": 1290, "alcohol": 990, "paid_with_gift_card": 500}
    await close(pool, date(2048, 1, 1))
    [(statement, _)] = await published_statements(pool, household)
    assert [(e.reason, e.cents) for e in statement.excluded] == [("paid_with_gift_card", 1000)]
    assert (statement.bonus_eligible_cents, (await payouts(pool, household))["bonus"]) == (55000, 1650)


async def test_an_event_published_before_the_block_and_booked_after_keeps_no_line_detail(pools):
    pool, household = pools["bonus"], new_id("h")
    await consent(pool, new_id("p"), household, 1)
    await book(pool, with_lines(new_id("r"), household, 12, 10000, person=new_id("p"), month=2))
    assert await lineage_exclusions(pool, household) == [WHOLE]
    assert await by_reason(pool, household) == {"paid_with_gift_card": 500}


async def test_a_lifted_block_or_an_erased_person_no_longer_holds_the_household(pools):
    pool, household, other = pools["bonus"], new_id("h"), new_id("h")
    erased, eve = new_id("p"), new_id("p")
    await consent(pool, eve, household, 1)
    await consent(pool, eve, household, 2, collection=False)
    await consent(pool, erased, other, 1)
    async with pool.acquire() as conn, conn.transaction():
        await when_consent_changes_keep_product_data_blocks(conn, [tombstone(erased)])
    assert await pool.fetchval("SELECT count(*) FROM product_data_blocks WHERE person_id = $1", erased) == 0
    await book(pool, with_lines(new_id("r"), household, 14, 10000, month=2),
               with_lines(new_id("r"), other, 14, 10000, month=2))
    assert len((await lineage_exclusions(pool, household))[0]) == 3
    assert len((await lineage_exclusions(pool, other))[0]) == 3
