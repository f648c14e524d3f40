"""The bonus ledger on the real PostgreSQL: booking, pooling, returns, close, resume, adjustments."""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone

import asyncpg
import orjson
import pytest

from services.bonus.adapters import closing
from services.bonus.adapters.close_pricing import Chunk
from services.bonus.application.book_purchases import book_purchases
from services.bonus.application.close_month import CloseConfig, close_month
from services.bonus.domain import load_tier_tables
from tests.support.close_events import give_benefit_accounts, household_close_events
from tests.support.factories import accepted, incoming

TABLES = load_tier_tables()


def month_at(year: int, month: int, day: int = 15, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


async def book(pool, *purchases):
    async with pool.acquire() as conn, conn.transaction():
        await book_purchases(conn, [incoming(p) for p in purchases], TABLES)


async def close(pool, month: date, config: CloseConfig = CloseConfig(TABLES), accounts: bool = True):
    """Close the month; its households have benefit accounts unless `accounts` is False."""
    if accounts:
        await give_benefit_accounts(pool, month)
    async with pool.acquire() as conn, conn.transaction():
        await closing.request_close(conn, month)
    return await close_month(pool, month, config)


async def payout_values(pool, household: str) -> list[dict]:
    """The household's payouts: of each month's close (published from its statements) and of adjustments
    (staged in the outbox)."""
    adjustments = await pool.fetch("SELECT value FROM outbox WHERE topic = 'bonus.payouts.v1' AND key = $1",
                                   household.encode())
    return ([value for value, _ in await household_close_events(pool, household, "bonus.payouts.v1")]
            + [orjson.loads(row["value"]) for row in adjustments])


async def payouts(pool, household: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for payout in await payout_values(pool, household):
        for transaction in payout["transactions"]:
            found[transaction["kind"]] = found.get(transaction["kind"], 0) + transaction["amount_cents"]
    return found


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def test_household_purchases_pool_into_one_tier(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, accepted(new_id("r"), household, month_at(2040, 1), 30000, person="a"),
               accepted(new_id("r"), household, month_at(2040, 1), 25000, person="b"))
    await close(pool, date(2040, 1, 1))
    assert (await payouts(pool, household))["bonus"] == 1650


async def test_a_purchase_is_booked_once_however_often_it_arrives(pools):
    pool, household, receipt = pools["bonus"], new_id("h"), new_id("r")
    purchase = accepted(receipt, household, month_at(2040, 2), 40000)
    await book(pool, purchase, purchase)
    await book(pool, purchase)
    total = await pool.fetchval("SELECT bonus_cents FROM accruals WHERE household_id = $1", household)
    assert total == 40000


async def test_helsinki_month_decides_where_a_purchase_at_midnight_belongs(pools):
    pool, household = pools["bonus"], new_id("h")
    # 31.3. 22:30 UTC is already 1.4. 01:30 in Helsinki (summer time)
    await book(pool, accepted(new_id("r"), household, datetime(2040, 3, 31, 22, 30, tzinfo=timezone.utc), 100))
    month = await pool.fetchval("SELECT month FROM accruals WHERE household_id = $1", household)
    assert month == date(2040, 4, 1)


async def test_fuel_pays_cents_per_litre_and_counts_toward_the_tier(pools):
    pool, household = pools["bonus"], new_id("h")
    # worked example 6: 700 € + 100 € fuel (60 l) → 4.5 % → 31.50 € + 2.70 €
    await book(pool, accepted(new_id("r"), household, month_at(2040, 5), 70000),
               accepted(new_id("r"), household, month_at(2040, 5), 0, fuel_cents=10000, litres_milli=60000))
    await close(pool, date(2040, 5, 1))
    assert await payouts(pool, household) == {"bonus": 3150, "fuel_bonus": 270}


async def test_double_bonus_campaign_pays_twice_the_month_rate(pools):
    pool, household = pools["bonus"], new_id("h")
    outlet = new_id("o")
    await pool.execute("INSERT INTO double_bonus_campaigns VALUES ('c1', $1, $2, $3)", outlet,
                       month_at(2040, 6, 1), month_at(2040, 6, 20))
    # worked example 7: 600 € of which 100 € at a double-Bonus outlet → 3.5 % → 17.50 + 7.00
    await book(pool, accepted(new_id("r"), household, month_at(2040, 6, 10), 50000),
               accepted(new_id("r"), household, month_at(2040, 6, 10), 10000, outlet=outlet))
    await close(pool, date(2040, 6, 1))
    assert (await payouts(pool, household))["bonus"] == 2450


async def test_a_return_before_close_reduces_the_original_month(pools):
    pool, household, original = pools["bonus"], new_id("h"), new_id("r")
    await book(pool, accepted(original, household, month_at(2040, 7), 50000))
    await book(pool, accepted(new_id("r"), household, month_at(2040, 8, 2), -10000, return_of=original))
    await close(pool, date(2040, 7, 1))
    assert (await payouts(pool, household))["bonus"] == 1000  # 400 € → 2.5 % (500 € would earn 15.00 €)


async def test_a_return_after_close_is_an_adjustment_at_the_recorded_rate(pools):
    pool, household, original = pools["bonus"], new_id("h"), new_id("r")
    await book(pool, accepted(original, household, month_at(2041, 1), 90000))
    await close(pool, date(2041, 1, 1))  # 900 € → 5 % → 45.00 €
    await book(pool, accepted(new_id("r"), household, month_at(2041, 2, 3), -20000, return_of=original))
    await close(pool, date(2041, 2, 1))
    # the January rate (5 %) prices the return, not the 3.5 % that 700 € would have earned
    assert await payouts(pool, household) == {"bonus": 4500, "adjustment": -1000}
    assert await pool.fetchval("SELECT bonus_cents FROM statements WHERE household_id = $1 AND month = $2",
                               household, date(2041, 1, 1)) == 4500


async def test_closing_twice_pays_once(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, accepted(new_id("r"), household, month_at(2042, 1), 20000))
    assert await close(pool, date(2042, 1, 1)) is not None
    assert await close(pool, date(2042, 1, 1)) is None
    assert await payouts(pool, household) == {"bonus": 300}


async def test_a_closer_that_comes_after_the_close_leaves_later_adjustments_to_the_next_close(pools):
    """A second closer that listed the month while it was closing and gets the lock once the first has closed
    it: a return booked in between belongs to the next close, not to the closed month after its totals."""
    pool, household, original, returned = pools["bonus"], new_id("h"), new_id("r"), new_id("r")
    april = date(2042, 4, 1)
    await book(pool, accepted(original, household, month_at(2042, 4), 90000))
    assert await close(pool, april) is not None
    await book(pool, accepted(returned, household, month_at(2042, 5, 3), -20000, return_of=original))
    assert await close_month(pool, april, CloseConfig(TABLES)) is None
    assert await pool.fetchval("SELECT paid_in_month FROM adjustments WHERE receipt_id = $1", returned) is None
    assert await payouts(pool, household) == {"bonus": 4500}


@asynccontextmanager
async def on_writing_statement_of(pool, household: str, action: str):
    """Writing `household`'s statement first runs `action` (PL/pgSQL) in the writer's transaction: a
    trigger of the real database's, dropped afterwards."""
    name = f"on_write_{uuid.uuid4().hex[:8]}"
    await pool.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                       f" AS $$ BEGIN {action}; RETURN NEW; END $$")
    await pool.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON statements FOR EACH ROW"
                       f" WHEN (NEW.household_id = '{household}') EXECUTE FUNCTION {name}()")
    try:
        yield
    finally:
        await pool.execute(f"DROP TRIGGER {name} ON statements")
        await pool.execute(f"DROP FUNCTION {name}()")


def crashing_at(pool, household: str):
    """Writing `household`'s statement fails, as a process killed mid-close would stop: its chunk's
    transaction is rolled back."""
    return on_writing_statement_of(pool, household, "RAISE EXCEPTION 'simulated crash'")


async def test_a_crash_during_close_resumes_without_paying_twice(pools):
    pool, month = pools["bonus"], date(2043, 3, 1)
    households = sorted(new_id("h") for _ in range(7))
    await book(pool, *[accepted(new_id("r"), h, month_at(2043, 3), 10000 * (i + 1))
                       for i, h in enumerate(households)])
    async with crashing_at(pool, households[5]):
        with pytest.raises(asyncpg.RaiseError, match="simulated crash"):
            await close(pool, month, CloseConfig(TABLES, chunk=2))
    # the first two chunks committed; the third rolled back
    assert await pool.fetchval("SELECT count(*) FROM statements WHERE month = $1", month) == 4
    done = await close_month(pool, month, CloseConfig(TABLES, chunk=2))
    assert done.households == 7
    for i, household in enumerate(households):
        statement = await pool.fetchrow("SELECT * FROM statements WHERE household_id = $1", household)
        assert statement["bonus_cents"] == TABLES.table_for("hok-elanto", month).rate_for(10000 * (i + 1)) \
            * 10000 * (i + 1) // 10000
    for household in households:
        assert len(await payout_values(pool, household)) == 1


async def test_chunks_priced_at_once_commit_in_key_order(pools):
    """The second chunk is slow to write; the third, priced meanwhile, commits only after it: whatever
    is committed is every household up to some key, which resuming and publishing rely on."""
    pool, month = pools["bonus"], date(2043, 5, 1)
    households = sorted(new_id("h") for _ in range(7))
    await book(pool, *[accepted(new_id("r"), h, month_at(2043, 5), 10000) for h in households])
    seen: list[list[str]] = []

    async def watch() -> None:
        while True:
            seen.append([r[0] for r in await pool.fetch(
                "SELECT household_id FROM statements WHERE month = $1 ORDER BY household_id", month)])
            await asyncio.sleep(0.05)

    async with on_writing_statement_of(pool, households[2], "PERFORM pg_sleep(1)"):
        watching = asyncio.create_task(watch())
        try:
            done = await close(pool, month, CloseConfig(TABLES, chunk=2, chunks_in_flight=2))
        finally:
            watching.cancel()
    assert done.households == 7
    assert {len(s) for s in seen} >= {2}  # seen while the second chunk was being written
    assert all(s == households[:len(s)] for s in seen)


async def test_a_late_purchase_after_close_is_paid_with_the_next_close(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, accepted(new_id("r"), household, month_at(2044, 1), 30000))
    await close(pool, date(2044, 1, 1))
    await book(pool, accepted(new_id("r"), household, month_at(2044, 1, 20), 10000))  # arrives late
    await close(pool, date(2044, 2, 1))
    assert await payouts(pool, household) == {"bonus": 600, "adjustment": 200}  # 2 % of 100 €


async def test_each_change_publishes_the_month_to_date_with_euros_to_the_next_tier(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, accepted(new_id("r"), household, month_at(2045, 1), 18000))
    await book(pool, accepted(new_id("r"), household, month_at(2045, 1, 16), 1000))
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = 'bonus.month-to-date.v1' AND key = $1"
                            " ORDER BY seq", household.encode())
    latest = orjson.loads(rows[-1]["value"])
    assert len(rows) == 2
    assert (latest["tier_total_cents"], latest["rate_bp"], latest["cents_to_next_tier"]) == (19000, 100, 1000)


async def keep_household(pool, household: str, cooperative: str, cooperative_from: datetime, open_cents: int,
                         version: int = 1):
    from contracts.events.membership_states import HouseholdMember, HouseholdState
    from services.bonus.application.keep_households import when_household_changes_keep_it

    founded = datetime(2030, 1, 1, tzinfo=timezone.utc)
    state = HouseholdState(
        household_id=household, version=version, status="active", main_member_person_id="p1", membership_id="m1",
        cooperative_id=cooperative, cooperative_from=cooperative_from, member_number="1234567897",
        membership_status="active", open_contribution_cents=open_cents, contribution_deadline=date(2032, 1, 1),
        founded_at=founded, members=[HouseholdMember(person_id="p1", role="main_member", joined_by="founded",
                                                     joined_at=founded)])
    async with pool.acquire() as conn, conn.transaction():
        await when_household_changes_keep_it(conn, [incoming(state)])


async def test_bonus_goes_to_the_open_contribution_first(pools):
    pool, household = pools["bonus"], new_id("h")
    # worked example 9: 80 € open; the month earns 45 € Bonus + 2 € payment-method benefit → all to the fee
    await keep_household(pool, household, "hok-elanto", datetime(2030, 1, 1, tzinfo=timezone.utc), 8000)
    await book(pool, accepted(new_id("r"), household, month_at(2046, 1), 90000, pmb=40000))
    await close(pool, date(2046, 1, 1))
    [payout] = await payout_values(pool, household)
    assert (payout["contribution_cents"], payout["transactions"]) == (4700, [])


async def test_a_transfer_mid_month_puts_the_whole_month_in_the_new_cooperative(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, accepted(new_id("r"), household, month_at(2046, 3, 5), 20000, cooperative="turun"))
    # a card still ordered under the old cooperative is used late in the month ...
    await book(pool, accepted(new_id("r"), household, month_at(2046, 3, 28), 20000, cooperative="kpo"))
    # ... but the membership moved to Turku on 20.3., which applies from the start of March (Helsinki)
    await keep_household(pool, household, "turun", datetime(2046, 2, 28, 22, tzinfo=timezone.utc), 0, version=2)
    await close(pool, date(2046, 3, 1))
    statement = await pool.fetchrow("SELECT * FROM statements WHERE household_id = $1", household)
    assert (statement["cooperative_id"], statement["tier_total_cents"]) == ("turun", 40000)


async def test_an_older_household_state_never_overwrites_a_newer_one(pools):
    pool, household = pools["bonus"], new_id("h")
    await keep_household(pool, household, "turun", datetime(2030, 1, 1, tzinfo=timezone.utc), 0, version=3)
    await keep_household(pool, household, "kpo", datetime(2030, 1, 1, tzinfo=timezone.utc), 5000, version=2)
    assert await pool.fetchval("SELECT cooperative_id FROM households WHERE household_id = $1", household) == "turun"


async def test_the_closer_counts_the_households_priced_past_the_publishers_mark(pools):
    """The closer's measure of how far the payouts' publisher is behind: the chunks past its mark, whole,
    and how many lead with every payout published."""
    pool, month = pools["bonus"], date(2043, 6, 1)
    async with pool.acquire() as conn:
        await closing.request_close(conn, month)
        await conn.execute("UPDATE months SET payouts_published_through = 'h-05' WHERE month = $1", month)
        chunks = [Chunk("", "h-03", 3), Chunk("h-03", "h-05", 2), Chunk("h-05", "h-09", 4),
                  Chunk("h-09", "h-12", 3)]
        assert await closing.payouts_behind(conn, month, chunks) == (2, 7)
        assert await closing.payouts_behind(conn, month, []) == (0, 0)


async def test_a_close_waits_for_a_publisher_behind_only_while_it_moves(pools):
    """No publisher runs here: the close waits for one for `publisher_stalled_s`, once, then goes on."""
    pool, month = pools["bonus"], date(2043, 7, 1)
    households = sorted(new_id("h") for _ in range(5))
    await book(pool, *[accepted(new_id("r"), h, month_at(2043, 7), 10000) for h in households])
    started = time.monotonic()
    done = await close(pool, month, CloseConfig(TABLES, chunk=2, publish_lag=1, publisher_stalled_s=0.5))
    assert 0.5 < time.monotonic() - started < 5
    assert done.households == 5
    assert [r[0] for r in await pool.fetch(
        "SELECT household_id FROM statements WHERE month = $1 ORDER BY household_id", month)] == households


async def test_a_close_keeps_within_the_lag_of_a_publisher_that_moves(pools):
    """A stand-in publisher moves the mark to the last statement every 0.3 s: pricing, two households a
    chunk with a lag of two, is never seen more than a chunk past it (unpaced, all eight would be)."""
    pool, month = pools["bonus"], date(2043, 8, 1)
    households = sorted(new_id("h") for _ in range(8))
    await book(pool, *[accepted(new_id("r"), h, month_at(2043, 8), 10000) for h in households])
    ahead: list[int] = []

    async def publisher() -> None:  # looks every 0.1 s, moves every third time
        for tick in itertools.count(1):
            await asyncio.sleep(0.1)
            async with pool.acquire() as conn:
                ahead.append(await conn.fetchval(
                    "SELECT count(*) FROM statements s JOIN months m USING (month)"
                    " WHERE s.month = $1 AND s.household_id > m.payouts_published_through", month))
                if tick % 3 == 0:
                    await conn.execute(
                        "UPDATE months SET payouts_published_through = (SELECT coalesce(max(household_id), '')"
                        " FROM statements WHERE month = $1) WHERE month = $1", month)

    moving = asyncio.create_task(publisher())
    try:
        done = await close(pool, month, CloseConfig(TABLES, chunk=2, chunks_in_flight=1, publish_lag=2))
    finally:
        moving.cancel()
    assert done.households == 8
    assert len(ahead) >= 3 and max(ahead) <= 4
