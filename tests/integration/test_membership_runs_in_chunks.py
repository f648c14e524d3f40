"""The yearly run and the contribution-deadline sweep at scale, on the real PostgreSQL: several hundred members
walked in small chunks, each chunk its own transaction. A database error in the middle of a chunk (a trigger
raising, as a crash would) stops the run with the earlier chunks committed; started again, it resumes and
pays, ends and refunds everyone exactly once."""
from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone

import asyncpg
import pytest

from contracts.events.bonus import BonusStatement
from contracts.topics import MEMBERSHIP_BENEFITS
from services.membership.adapters import memberships, yearly
from services.membership.application.config import MembershipConfig
from services.membership.application.deadlines import end_overdue_memberships
from services.membership.application.statements import keep_bonus_statements
from services.membership.application.yearly import pay_yearly_benefits
from services.membership.domain.cooperatives import YearlyDecision
from services.membership.domain.numbers import day_start
from tests.support.membership_db import handle, run
from tests.support.people import join, register
from tests.support.service_fixtures import pool_of

COOPERATIVE = "varuboden-osla"  # only this module's members join it
YEAR = 2043
DECISION = YearlyDecision(financial_year=YEAR, interest_rate_bp=500, surplus_rate_bp=100, paid_on=date(2044, 5, 20))
MEMBERS = 330
CHUNK = 25


@pytest.fixture
def config(settings):
    config = MembershipConfig.from_settings(settings)
    cooperative = dataclasses.replace(config.cooperatives[COOPERATIVE], yearly_decisions=(DECISION,))
    return dataclasses.replace(config, cooperatives={**config.cooperatives, COOPERATIVE: cooperative})


pool = pool_of("membership")


async def many_members(pool, config, count: int, joined_at: datetime, cents: int, cooperative: str):
    joins = []
    for start in range(0, count, 50):
        batch = []
        for _ in range(min(50, count - start)):
            customer = register()
            joins.append(join(customer.person_id, cooperative=cooperative, cents=cents, at=joined_at))
            batch += [customer, joins[-1]]
        await run(pool, config, *batch)
    return joins


@asynccontextmanager
async def crash_when(pool, table: str, condition: str):
    """A trigger that raises when a row matching `condition` is written: a failure in the middle of a chunk."""
    await pool.execute(f"""
        CREATE FUNCTION test_crash() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF {condition} THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER test_crash BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION test_crash();""")
    try:
        yield
    finally:
        await pool.execute(f"DROP TRIGGER test_crash ON {table}; DROP FUNCTION test_crash();")


async def payouts_per_person(pool, person_ids: list[str]) -> dict[str, list[str]]:
    rows = await pool.fetch("SELECT convert_from(key, 'UTF8') AS person_id, value->>'kind' AS kind FROM"
                            " (SELECT key, convert_from(value, 'UTF8')::jsonb AS value FROM outbox WHERE topic = $1) o"
                            " WHERE convert_from(key, 'UTF8') = ANY($2::text[])", MEMBERSHIP_BENEFITS.name, person_ids)
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["person_id"], []).append(row["kind"])
    return found


async def test_an_interrupted_yearly_run_resumes_and_pays_everyone_exactly_once(pool, config):
    joins = await many_members(pool, config, MEMBERS, datetime(YEAR, 2, 1, 9, tzinfo=timezone.utc), 10000,
                               COOPERATIVE)
    statements = [BonusStatement(
        statement_id=f"st-{j.household_id}-{month}", household_id=j.household_id, month=f"{YEAR}-{month:02d}",
        cooperative_id=COOPERATIVE, table_version="t", rate_bp=300, tier_total_cents=0, bonus_eligible_cents=0,
        own_cooperative_eligible_cents=10_000 * (i % 7) + 50, fuel_cents=0, fuel_millilitres=0,
        payment_method_eligible_cents=0, bonus_cents=0, fuel_bonus_cents=0, payment_method_benefit_cents=0,
        receipts=1, members=[]) for i, j in enumerate(joins) for month in (3, 9)]
    await handle(pool, keep_bonus_statements, *statements, config=config)
    async with pool.acquire() as conn:
        order = [r["person_id"] for r in await yearly.members_at(
            conn, COOPERATIVE, day_start(date(YEAR + 1, 1, 1)), date(YEAR, 1, 1), date(YEAR + 1, 1, 1), "", 10_000)]
    assert len(order) == MEMBERS
    victim = order[7 * CHUNK + 3]  # in the middle of the eighth chunk
    async with crash_when(pool, "yearly_benefits", f"NEW.person_id = '{victim}' AND NEW.kind = 'surplus_return'"):
        with pytest.raises(asyncpg.RaiseError, match="simulated crash"):
            await pay_yearly_benefits(pool, config, YEAR, date(2044, 5, 31), chunk_size=CHUNK)

    progress = await pool.fetchrow("SELECT * FROM yearly_run_progress WHERE financial_year = $1"
                                   " AND cooperative_id = $2", YEAR, COOPERATIVE)
    assert (progress["chunks"], progress["after_person_id"], progress["completed_at"]) == (
        7, order[7 * CHUNK - 1], None)
    paid = await payouts_per_person(pool, order)
    assert sorted(paid) == sorted(order[:7 * CHUNK])  # the seven committed chunks, nothing of the eighth

    resumed = await pay_yearly_benefits(pool, config, YEAR, date(2044, 5, 31), chunk_size=CHUNK)
    assert resumed.resumed == [COOPERATIVE] and resumed.members == MEMBERS - 7 * CHUNK
    assert resumed.payouts == 2 * (MEMBERS - 7 * CHUNK)
    paid = await payouts_per_person(pool, order)
    assert {person: sorted(kinds) for person, kinds in paid.items()} == {
        person: ["interest", "surplus_return"] for person in order}
    rows = await pool.fetch("SELECT person_id, kind, amount_cents FROM yearly_benefits WHERE financial_year = $1"
                            " AND cooperative_id = $2", YEAR, COOPERATIVE)
    assert len(rows) == 2 * MEMBERS
    amounts = {(r["person_id"], r["kind"]): r["amount_cents"] for r in rows}
    by_person = {j.person_id: i for i, j in enumerate(joins)}
    for person in order:
        assert amounts[(person, "interest")] == 500  # 5 % of 100 €
        i = by_person[person]
        assert amounts[(person, "surplus_return")] == round(2 * (10_000 * (i % 7) + 50) / 100)  # 1 % of two months

    finished = await pay_yearly_benefits(pool, config, YEAR, date(2044, 5, 31), chunk_size=CHUNK)
    assert (finished.payouts, finished.members, finished.already_done) == (0, 0, [COOPERATIVE])
    again = await pay_yearly_benefits(pool, config, YEAR, date(2044, 5, 31), chunk_size=CHUNK, again=True)
    assert (again.payouts, again.members) == (0, MEMBERS)
    assert len(await pool.fetch("SELECT 1 FROM yearly_benefits WHERE financial_year = $1 AND cooperative_id = $2",
                                YEAR, COOPERATIVE)) == 2 * MEMBERS


async def test_an_interrupted_deadline_sweep_resumes_and_ends_every_overdue_membership_once(pool, config):
    joined_at, today = datetime(2019, 1, 15, 9, tzinfo=timezone.utc), date(2021, 6, 1)  # deadline 15.1.2021
    joins = await many_members(pool, config, 300, joined_at, 2500, "keskimaa")
    mine = {j.person_id for j in joins}
    async with pool.acquire() as conn:
        order = await memberships.overdue_candidates(conn, today, "", 100_000)
    assert mine <= set(order)
    chunk = 40
    victim = order[4 * chunk + 10]
    async with crash_when(pool, "memberships", f"NEW.person_id = '{victim}' AND NEW.status = 'terminated_unpaid'"):
        with pytest.raises(asyncpg.RaiseError, match="simulated crash"):
            await end_overdue_memberships(pool, today, chunk_size=chunk)
    ended = {r["person_id"] for r in await pool.fetch(
        "SELECT person_id FROM memberships WHERE status = 'terminated_unpaid' AND person_id = ANY($1::text[])",
        order)}
    assert ended == set(order[:4 * chunk])  # four chunks committed, the fifth rolled back whole

    assert await end_overdue_memberships(pool, today, chunk_size=chunk) == len(order) - 4 * chunk
    assert await end_overdue_memberships(pool, today, chunk_size=chunk) == 0
    statuses = await pool.fetch("SELECT person_id, status FROM memberships WHERE person_id = ANY($1::text[])",
                                list(mine))
    assert {r["status"] for r in statuses} == {"terminated_unpaid"} and len(statuses) == len(mine)
    refunds = await payouts_per_person(pool, list(mine))
    assert refunds == {person: ["contribution_refund"] for person in mine}
    refunded = await pool.fetchval(
        "SELECT sum(p.amount_cents) FROM contribution_payments p JOIN contributions c USING (contribution_id)"
        " WHERE p.source = 'refund' AND c.person_id = ANY($1::text[])", list(mine))
    assert refunded == 2500 * len(mine)
