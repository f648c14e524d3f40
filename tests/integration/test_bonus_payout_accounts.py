"""Payouts name the main member's benefit account; without one they are held, reported and paid later."""
from __future__ import annotations

from datetime import date, datetime, timezone

import orjson

from contracts.events.bonus import BonusPayout
from contracts.events.membership_states import BenefitAccountRef, HouseholdMember, HouseholdState
from services.bonus.application.held_payouts import held_payout_gauges, release_held_payouts
from services.bonus.application.keep_households import when_household_changes_keep_it
from tests.integration.test_bonus_month import book, close, month_at, new_id
from tests.support.close_events import close_events_of
from tests.support.factories import accepted, incoming

FOUNDED = datetime(2030, 1, 1, tzinfo=timezone.utc)


def state(household: str, version: int, account: BenefitAccountRef | None) -> HouseholdState:
    return HouseholdState(
        household_id=household, version=version, status="active", main_member_person_id="p-main",
        membership_id="m1", cooperative_id="hok-elanto", cooperative_from=FOUNDED, member_number="1234567897",
        membership_status="active", open_contribution_cents=0, contribution_deadline=date(2032, 1, 1),
        founded_at=FOUNDED, members=[HouseholdMember(person_id="p-main", role="main_member", joined_by="founded",
                                                     joined_at=FOUNDED)], benefit_account=account)


def account(ref: str) -> BenefitAccountRef:
    return BenefitAccountRef(account_ref=ref, account_type="savings_account", last_four="1234",
                             valid_from=datetime(2071, 2, 1, tzinfo=timezone.utc), sealed_for="p-main",
                             iban_sealed="c2VhbGVk")


async def keep(pool, *states: HouseholdState) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await when_household_changes_keep_it(conn, [incoming(s) for s in states])


def held_figure(gauges, name: str) -> int:
    return int(next(gauge.value for gauge in gauges if gauge.name == name))


async def test_a_payout_carries_the_account_and_one_without_is_held_until_there_is_one(pools):
    pool, month = pools["bonus"], date(2071, 3, 1)
    paid, waiting = new_id("h"), new_id("h")
    await keep(pool, state(paid, 1, account("acct-paid")), state(waiting, 1, None))
    await book(pool, accepted(new_id("r"), paid, month_at(2071, 3), 30000),
               accepted(new_id("r"), waiting, month_at(2071, 3), 30000))
    held_before = held_figure(await held_payout_gauges(pool), "coopreg_payouts_held")
    await close(pool, month, accounts=False)

    payouts = {key: value for topic, key, value, _ in await close_events_of(pool, month)
               if topic == "bonus.payouts.v1"}
    assert set(payouts) == {paid}  # the household without an account is not paid to nowhere ...
    assert payouts[paid]["benefit_account"] == account("acct-paid").model_dump(mode="json")
    assert BonusPayout.model_validate(payouts[paid]).transactions[0].amount_cents == 600
    held = await pool.fetch("SELECT * FROM held_payouts WHERE household_id = $1", waiting)
    assert [(r["payout_id"], r["cash_cents"], r["released_at"]) for r in held] == [(f"{waiting}:2071-03", 600, None)]
    metrics = await held_payout_gauges(pool)  # ... but held, and shown to operators
    assert held_figure(metrics, "coopreg_payouts_held") == held_before + 1
    assert await release_held_payouts(pool) == 0  # still no account: stays held

    await keep(pool, state(waiting, 2, account("acct-new")))
    assert await release_held_payouts(pool) == 1
    assert await release_held_payouts(pool) == 0  # paid once
    [row] = await pool.fetch("SELECT value FROM outbox WHERE topic = 'bonus.payouts.v1' AND key = $1",
                             waiting.encode())
    released = BonusPayout.model_validate(orjson.loads(row["value"]))
    assert (released.payout_id, released.benefit_account, [t.amount_cents for t in released.transactions]) == (
        f"{waiting}:2071-03", account("acct-new"), [600])
    assert held_figure(await held_payout_gauges(pool), "coopreg_payouts_held") == held_before
    # the month's feed never publishes the held payout itself, however often it is read again
    events = await close_events_of(pool, month)
    assert waiting not in {key for topic, key, _, _ in events if topic == "bonus.payouts.v1"}
