"""Statements published at the close (bonus.statements.v1), from purchases booked on the real PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import asyncpg
import pytest

from contracts.events.bonus import BonusStatement, StatementExclusion, StatementMember
from contracts.events.purchases import Exclusion
from services.bonus.application.close_month import CloseConfig, close_month
from tests.integration.test_bonus_month import (
    TABLES,
    book,
    close,
    crashing_at,
    keep_household,
    month_at,
    new_id,
)
from tests.support.close_events import household_close_events
from tests.support.factories import accepted


def bought(receipt: str, household: str, at: datetime, cents: int, *, outlet_cooperative: str | None,
           excluded: tuple[tuple[str, int], ...] = (), **options):
    purchase = accepted(receipt, household, at, cents, **options)
    return purchase.model_copy(update={
        "outlet_cooperative_id": outlet_cooperative,
        "excluded": [Exclusion(line_no=i, reason=reason, cents=c) for i, (reason, c) in enumerate(excluded)]})


async def published_statements(pool, household: str) -> list[tuple[BonusStatement, dict]]:
    return [(BonusStatement.model_validate(value), headers)
            for value, headers in await household_close_events(pool, household, "bonus.statements.v1")]


async def test_the_close_publishes_one_statement_with_members_exclusions_and_own_cooperative_purchases(pools):
    pool, household = pools["bonus"], new_id("h")
    anna, ben = 'p-"anna"\\ä', "p-ben"
    await book(pool,
               bought(new_id("r"), household, month_at(2047, 1, 3), 30000, person=anna, cooperative="turun",
                      outlet_cooperative="turun", excluded=(("alcohol", 1590), ("tobacco", 1200))),
               bought(new_id("r"), household, month_at(2047, 1, 9), 12000, person=ben, cooperative="turun",
                      outlet_cooperative="hok-elanto", excluded=(("alcohol", 410),)),
               bought(new_id("r"), household, month_at(2047, 1, 20), 8000, person=anna, cooperative="turun",
                      outlet_cooperative=None, fuel_cents=5000, litres_milli=27000))
    await close(pool, date(2047, 1, 1))
    [(statement, headers)] = await published_statements(pool, household)
    # 550 € toward the tier (500 € + 50 € fuel) → 3.0 %: 15.00 € Bonus, 27 l → 0.81 € Fuel Bonus
    assert (statement.month, statement.cooperative_id, statement.rate_bp, statement.tier_total_cents,
            statement.bonus_eligible_cents, statement.fuel_cents, statement.bonus_cents,
            statement.fuel_bonus_cents, statement.receipts) == ("2047-01", "turun", 300, 55000, 50000, 5000,
                                                                1500, 81, 3)
    assert statement.own_cooperative_eligible_cents == 30000  # not Helsinki's outlet, not the unknown one
    assert statement.members == [StatementMember(person_id=anna, receipts=2, bonus_eligible_cents=38000),
                                 StatementMember(person_id=ben, receipts=1, bonus_eligible_cents=12000)]
    assert statement.excluded == [StatementExclusion(reason="alcohol", cents=2000),
                                  StatementExclusion(reason="tobacco", cents=1200)]
    assert statement.table_version == "S-Group common table from 2021-01-01"
    assert (headers["ce_id"], headers["ce_type"], headers["ce_subject"]) == (
        f"statement:{household}:2047-01", "coopreg.BonusStatement", household)
    lineage = await pool.fetch("SELECT outlet_cooperative_id FROM purchases WHERE household_id = $1"
                               " ORDER BY purchased_at", household)
    assert [r["outlet_cooperative_id"] for r in lineage] == ["turun", "hok-elanto", None]


async def test_after_a_transfer_the_new_cooperatives_outlets_are_the_own_ones(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool,
               bought(new_id("r"), household, month_at(2047, 3, 2), 20000, cooperative="kpo", outlet_cooperative="kpo"),
               bought(new_id("r"), household, month_at(2047, 3, 25), 7000, cooperative="kpo",
                      outlet_cooperative="pohjois-karjala"))
    await keep_household(pool, household, "pohjois-karjala", datetime(2047, 2, 28, 22, tzinfo=timezone.utc), 0)
    await close(pool, date(2047, 3, 1))
    [(statement, headers)] = await published_statements(pool, household)
    assert (statement.cooperative_id, statement.own_cooperative_eligible_cents) == ("pohjois-karjala", 7000)
    assert headers["ce_cooperative"] == "pohjois-karjala"


async def test_a_household_with_nothing_to_pay_still_gets_its_statement_and_a_rerun_publishes_nothing(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, bought(new_id("r"), household, month_at(2047, 5), 4999, outlet_cooperative="hok-elanto"))
    await close(pool, date(2047, 5, 1))
    assert await close_month(pool, date(2047, 5, 1), CloseConfig(TABLES)) is None  # closed: nothing runs again
    [(statement, _)] = await published_statements(pool, household)
    assert (statement.rate_bp, statement.bonus_cents, statement.own_cooperative_eligible_cents) == (0, 0, 4999)
    assert await household_close_events(pool, household, "bonus.payouts.v1") == []


async def test_purchases_after_the_close_are_no_part_of_the_published_statement(pools):
    pool, household = pools["bonus"], new_id("h")
    await book(pool, bought(new_id("r"), household, month_at(2047, 7), 30000, outlet_cooperative="hok-elanto"))
    await close(pool, date(2047, 7, 1))
    await book(pool, bought(new_id("r"), household, month_at(2047, 7, 20), 10000, person=f"late-{uuid.uuid4().hex}",
                            outlet_cooperative="hok-elanto", excluded=(("alcohol", 100),)))
    assert await pool.fetchval("SELECT count(*) FROM accrual_members WHERE household_id = $1", household) == 1
    assert await pool.fetchval("SELECT count(*) FROM accrual_exclusions WHERE household_id = $1", household) == 0


async def test_a_crash_during_close_publishes_each_statement_once(pools):
    pool, month = pools["bonus"], date(2047, 9, 1)
    households = sorted(new_id("h") for _ in range(5))
    await book(pool, *[bought(new_id("r"), h, month_at(2047, 9), 10000 * (i + 1), outlet_cooperative="hok-elanto")
                       for i, h in enumerate(households)])
    async with crashing_at(pool, households[3]):  # in the second chunk
        with pytest.raises(asyncpg.RaiseError):
            await close(pool, month, CloseConfig(TABLES, chunk=2))
    assert await close_month(pool, month, CloseConfig(TABLES, chunk=2)) is not None
    for household in households:
        assert len(await published_statements(pool, household)) == 1
