"""A person's statements: those of each household they belonged to, for the months they belonged to it."""
from __future__ import annotations

from datetime import date

from services.bonus.adapters.person_reads import statements_of
from tests.integration.test_bonus_month import new_id


async def paid(pool, household: str, *months: date) -> None:
    await pool.executemany(
        "INSERT INTO statements (household_id, month, cooperative_id, tier_table, rate_bp, tier_total_cents,"
        " bonus_cents, fuel_bonus_cents, payment_method_benefit_cents, payouts)"
        " VALUES ($1, $2, 'hok-elanto', 'common', 100, 10000, 100, 0, 5, 1)", [(household, m) for m in months])


async def test_each_period_gives_its_households_statements_of_those_months_only(pools):
    pool, earlier, now, elsewhere = pools["bonus"], new_id("h"), new_id("h"), new_id("h")
    months = [date(2031, m, 1) for m in range(1, 7)]
    await paid(pool, earlier, *months)
    await paid(pool, now, *months)
    await paid(pool, elsewhere, *months)
    async with pool.acquire() as conn:
        rows = await statements_of(conn, [(earlier, months[1], months[2]), (now, months[4], None)])
        assert await statements_of(conn, [(new_id("h"), months[0], None)]) == []
    assert [(r["household_id"], r["month"]) for r in rows] == [
        (earlier, months[1]), (earlier, months[2]), (now, months[4]), (now, months[5])]
