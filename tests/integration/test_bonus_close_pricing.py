"""The set-based close (SQL over a key range) against the pure domain, which is its specification.

A varied month — totals at, just below and just above every threshold, fuel, double-Bonus purchases,
returns that make amounts negative, halves to round, open contributions of every size, households the
membership service has not told about and transfers in, before and after the month, KPO and Koillismaa
(whose own historical table has a 1 € entry tier) — is closed by the bonus service's close, and every
statement, payout event and statement event is compared with `compute_month` + `split_payout`.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from contracts.events.bonus import BonusPayout, BonusStatement
from contracts.events.membership_states import BenefitAccountRef
from services.bonus.adapters import closing
from services.bonus.application.close_month import CloseConfig, close_month, payout_event
from services.bonus.domain import MonthTotals, NoTierTableInForce, compute_month, load_tier_tables, split_payout
from services.bonus.domain.months import HELSINKI, month_label, month_of, next_month, payout_due
from tests.support.close_events import ACCOUNT, close_events_of, give_benefit_accounts

TABLES = load_tier_tables()
COOPERATIVES = ("hok-elanto", "kpo", "koillismaa", "turun", "a-cooperative-without-a-table")


def _split(rng: random.Random, total: int) -> MonthTotals:
    """A tier total spread over ordinary, double-Bonus and fuel purchases, sometimes with a return."""
    fuel = rng.choice([0, 0, rng.randint(0, max(total, 0) // 3)])
    double = rng.choice([0, 0, rng.randint(0, max(total - fuel, 0) // 2)])
    litres_ml = fuel * 1000 // rng.choice([179, 185, 199]) if fuel else rng.choice([0, 0, 500, 1500])
    return MonthTotals(bonus_cents=total - fuel - double, double_cents=double, fuel_cents=fuel,
                       fuel_millilitres=litres_ml, payment_method_cents=rng.choice([0, 1, 100, 300, total, total // 3]))


def varied_month(seed: int, cooperatives: tuple[str, ...], thresholds: list[int]) -> list[tuple[str, MonthTotals]]:
    rng = random.Random(seed)
    totals = [t + d for t in thresholds for d in (-1, 0, 1)] + [0, 1, 49, 50, 99, 100, 101, 250_000]
    totals += [rng.randint(0, 120_000) for _ in range(150)]
    cases = [(rng.choice(cooperatives), _split(rng, total)) for total in totals]
    # returns: negative figures, alone or beside purchases
    cases += [(rng.choice(cooperatives), MonthTotals(-5_000, 0, 0, 0, -5_000)),
              (rng.choice(cooperatives), MonthTotals(-20_000, 0, 30_000, 16_000, 0)),
              (rng.choice(cooperatives), MonthTotals(95_000, -3_000, 0, -2_000, -100))]
    # halves: 1 % of 50 c, 1 % of 150 c on fuel litres (0.5 c), 0.5 % of 100 c and of 300 c
    cases += [(cooperatives[0], MonthTotals(5_050, 0, 0, 500, 100)),
              (cooperatives[0], MonthTotals(20_050, 0, 0, 1_500, 300)),
              (cooperatives[0], MonthTotals(90_010, 0, 0, 1_111, 901))]
    # some ids with what JSON must escape
    return [(f"t-{uuid.uuid4().hex[:12]}{'' if i % 10 else chr(34) + chr(92) + 'ä'}-{cooperative}", totals)
            for i, (cooperative, totals) in enumerate(cases)]


async def load_month(pool, month: date, households: list[tuple[str, MonthTotals]], seed: int) -> dict[str, dict]:
    """Accruals as booking leaves them, and the membership projection for most households."""
    rng = random.Random(seed)
    known: dict[str, dict] = {}
    accruals = []
    for household, t in households:
        cooperative = household.split("-", 2)[2]
        accruals.append((household, month, cooperative, t.bonus_cents, t.double_cents, t.fuel_cents,
                         t.fuel_millilitres, t.payment_method_cents, 3, datetime(2000, 1, 1, tzinfo=timezone.utc)))
        if rng.random() < 0.25:
            continue  # the membership service has not told about this household
        moved_to = rng.choice(COOPERATIVES) if rng.random() < 0.3 else cooperative
        start = datetime.combine(rng.choice([month.replace(year=month.year - 1), month, next_month(month)]),
                                 datetime.min.time(), HELSINKI) + timedelta(minutes=rng.choice([0, 1]))
        known[household] = {"cooperative_id": moved_to, "cooperative_from": start,
                            "open_contribution_cents": rng.choice([0, 0, 1, 500, 2_000, 8_000, 100_000])}
    await pool.copy_records_to_table("accruals", records=accruals, columns=[
        "household_id", "month", "cooperative_id", "bonus_cents", "double_cents", "fuel_cents", "fuel_millilitres",
        "payment_method_cents", "receipts", "last_purchase_at"])
    await pool.executemany(
        "INSERT INTO households (household_id, version, status, cooperative_id, cooperative_from,"
        " open_contribution_cents) VALUES ($1, 1, 'active', $2, $3, $4)",
        [(h, k["cooperative_id"], k["cooperative_from"], k["open_contribution_cents"]) for h, k in known.items()])
    return known


def expected_cooperative(accrued: str, known: dict | None, month: date) -> str:
    """The cooperative of the month as the issue defines it: a transfer counts from the month it starts."""
    if known is not None and month_of(known["cooperative_from"]) <= month:
        return known["cooperative_id"]
    return accrued


async def close(pool, month: date, chunk: int):
    await give_benefit_accounts(pool, month)
    async with pool.acquire() as conn, conn.transaction():
        await closing.request_close(conn, month)
    return await close_month(pool, month, CloseConfig(TABLES, chunk=chunk))


async def events_of(pool, month: date, topic: str, households: list[str]) -> dict[str, tuple[dict, dict]]:
    """The month's events on `topic` for these households, as the close publisher sends them."""
    wanted, found = set(households), {}
    for t, household, value, headers in await close_events_of(pool, month):
        if t == topic and household in wanted:
            assert household not in found, "one event per household"
            found[household] = (value, headers)
    return found


async def assert_priced_as_the_domain_says(pool, month: date, households, known) -> int:
    ids = [h for h, _ in households]
    statements = {r["household_id"]: r for r in await pool.fetch(
        "SELECT * FROM statements WHERE month = $1 AND household_id = ANY($2::text[])", month, ids)}
    payouts = await events_of(pool, month, "bonus.payouts.v1", ids)
    published = await events_of(pool, month, "bonus.statements.v1", ids)
    assert len(statements) == len(published) == len(households)
    paid = 0
    for household, totals in households:
        cooperative = expected_cooperative(household.split("-", 2)[2], known.get(household), month)
        table = TABLES.table_for(cooperative, month)
        result = compute_month(table, totals)
        open_fee = known[household]["open_contribution_cents"] if household in known else 0
        split = split_payout(result.bonus_cents, result.fuel_bonus_cents, result.payment_method_benefit_cents,
                             open_fee)
        pays = bool(split.transactions or split.contribution_cents)
        row = statements[household]
        assert (row["cooperative_id"], row["tier_table"], row["table_version"], row["rate_bp"],
                row["tier_total_cents"], row["bonus_cents"], row["fuel_bonus_cents"],
                row["payment_method_benefit_cents"], row["contribution_cents"]) == (
            cooperative, table.name, table.version, result.rate_bp, result.tier_total_cents, result.bonus_cents,
            result.fuel_bonus_cents, result.payment_method_benefit_cents, split.contribution_cents), household
        assert row["payouts"] == int(pays)
        if pays:
            paid += 1
            expected = payout_event(household, month, payout_due(month), result.rate_bp,
                                    [(str(t.kind), t.cents) for t in split.transactions], split.contribution_cents)
            value, headers = payouts.pop(household)
            assert BonusPayout.model_validate(value) == expected.payout.model_copy(
                update={"benefit_account": BenefitAccountRef.model_validate(ACCOUNT)}), household
            wanted_headers = {k: v.decode() for k, v in expected.envelope.headers()}
            assert {k: v for k, v in headers.items() if k != "ce_time"} == \
                {k: v for k, v in wanted_headers.items() if k != "ce_time"}
            assert datetime.fromisoformat(headers["ce_time"]).tzinfo is not None
        value, headers = published[household]
        statement = BonusStatement.model_validate(value)
        assert (statement.statement_id, statement.month, statement.cooperative_id, statement.table_version,
                statement.rate_bp, statement.tier_total_cents, statement.bonus_eligible_cents, statement.fuel_cents,
                statement.fuel_millilitres, statement.payment_method_eligible_cents, statement.bonus_cents,
                statement.fuel_bonus_cents, statement.payment_method_benefit_cents, statement.receipts) == (
            f"statement:{household}:{month_label(month)}", month_label(month), cooperative, table.version,
            result.rate_bp, result.tier_total_cents, totals.bonus_cents + totals.double_cents, totals.fuel_cents,
            totals.fuel_millilitres, totals.payment_method_cents, result.bonus_cents, result.fuel_bonus_cents,
            result.payment_method_benefit_cents, 3)
        assert headers["ce_id"] == statement.statement_id and headers["ce_cooperative"] == cooperative
    assert payouts == {}, "no payout for a household with nothing to pay"
    return paid


async def test_the_set_based_close_pays_what_the_domain_rules_say(pools):
    pool, month = pools["bonus"], date(2050, 3, 1)
    thresholds = sorted({tier.threshold_cents for c in COOPERATIVES for tier in TABLES.table_for(c, month).tiers})
    households = varied_month(7, COOPERATIVES, thresholds)
    known = await load_month(pool, month, households, seed=7)
    done = await close(pool, month, chunk=37)
    paid = await assert_priced_as_the_domain_says(pool, month, households, known)
    assert (done.households, done.payouts) == (len(households), paid)
    assert 0 < paid < len(households)


async def test_a_cooperatives_own_historical_table_prices_its_households(pools):
    pool, month = pools["bonus"], date(2019, 6, 1)  # Koillismaa's own table: 1 % from 1 €
    assert TABLES.table_for("koillismaa", month).tiers[0].threshold_cents == 100
    tiers = TABLES.table_for("koillismaa", month).tiers
    households = varied_month(11, ("koillismaa",), [tier.threshold_cents for tier in tiers])
    known = await load_month(pool, month, households, seed=11)
    for k in known.values():
        k["cooperative_id"] = "koillismaa"
    await pool.execute("UPDATE households SET cooperative_id = 'koillismaa' WHERE household_id = ANY($1::text[])",
                       list(known))
    await close(pool, month, chunk=50)
    await assert_priced_as_the_domain_says(pool, month, households, known)


async def test_a_month_without_a_table_in_force_stops_the_close_and_writes_nothing(pools):
    pool, month = pools["bonus"], date(2019, 7, 1)  # before the common table; only Koillismaa had one
    households = [(f"t-{uuid.uuid4().hex[:12]}-koillismaa", MonthTotals(10_000)),
                  (f"t-{uuid.uuid4().hex[:12]}-hok-elanto", MonthTotals(10_000))]
    await load_month(pool, month, households, seed=3)
    await pool.execute("DELETE FROM households WHERE household_id = ANY($1::text[])", [h for h, _ in households])
    with pytest.raises(NoTierTableInForce):
        await close(pool, month, chunk=10)
    assert await pool.fetchval("SELECT count(*) FROM statements WHERE month = $1", month) == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE key = ANY($1::bytea[])",
                               [h.encode() for h, _ in households]) == 0
