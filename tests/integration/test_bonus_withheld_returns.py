"""Withheld Bonus is never lost, on the real PostgreSQL of both services: the bonus service closes a month
withholding Bonus for an open capital contribution, the membership service finds the contribution paid
meanwhile (all of it, or all but part) and returns what it cannot apply, and the bonus service pays that to
the household in cash with a payout id S-Bank books once."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta, timezone

import orjson

from contracts.envelope import Envelope
from contracts.events.bonus import BonusPayout
from contracts.events.membership import PayContribution
from contracts.events.membership_states import BonusCreditReturned
from contracts.topics import BONUS_PAYOUTS, MEMBERSHIP_BONUS_RETURNS
from services.bonus.application.pay_returned_credit import when_membership_returns_bonus_pay_it_out
from services.membership.application.bonus_to_contribution import when_bonus_is_paid_credit_the_contribution
from services.membership.application.config import MembershipConfig
from shared.delivery import Incoming
from tests.integration.test_bonus_month import book, close
from tests.support.close_events import household_close_events
from tests.support.factories import accepted
from tests.support.membership_db import run
from tests.support.outbox_rows import header_texts
from tests.support.people import T0, join, register, unique

MONTH = date(2047, 2, 1)  # each test closes a month of its own
JOINED = datetime(2046, 6, 1, 12, tzinfo=timezone.utc)  # the contribution's deadline is two years on
PAID_AT = datetime(2047, 6, 5, 9, tzinfo=timezone.utc)  # the payout reaches membership after the close


async def member(pools, settings, first_payment: int) -> tuple[str, str, MembershipConfig]:
    """A main member with a household; (person id, household id, config)."""
    config = MembershipConfig.from_settings(settings)
    person = register()
    joined = join(person.person_id, cents=first_payment, at=JOINED)
    await run(pools["membership"], config, person, joined)
    return person.person_id, joined.household_id, config


async def bonus_believes_open(pools, household: str, open_cents: int) -> None:
    """The bonus service's projection of the household as it stood when the contribution was still open
    (membership.households.v1 had not brought the payment yet)."""
    await pools["bonus"].execute(
        "INSERT INTO households (household_id, version, status, cooperative_id, cooperative_from,"
        " open_contribution_cents) VALUES ($1, 1, 'active', 'hok-elanto', $2, $3)",
        household, T0 - timedelta(days=400), open_cents)


async def closed_payout(pools, household: str) -> tuple[BonusPayout, Envelope]:
    [(value, headers)] = await household_close_events(pools["bonus"], household, BONUS_PAYOUTS.name)
    return BonusPayout.model_validate(value), Envelope(id=headers["ce_id"], source=headers["ce_source"],
                                                       type=headers["ce_type"], time=PAID_AT)


async def membership_takes(pools, config, payout: BonusPayout, envelope: Envelope) -> None:
    async with pools["membership"].acquire() as conn, conn.transaction():
        await when_bonus_is_paid_credit_the_contribution(conn, [Incoming.handed(payout, envelope)], config)


async def returns_of(pools, household: str) -> list[tuple[BonusCreditReturned, Envelope]]:
    rows = await pools["membership"].fetch("SELECT value, headers FROM outbox WHERE topic = $1 AND key = $2"
                                           " ORDER BY seq", MEMBERSHIP_BONUS_RETURNS.name, household.encode())
    found = []
    for row in rows:
        headers = header_texts(row["headers"])
        found.append((BonusCreditReturned.model_validate_json(row["value"]),
                      Envelope(id=headers["ce_id"], source=headers["ce_source"], type=headers["ce_type"],
                               time=PAID_AT + timedelta(seconds=1))))
    return found


async def bonus_pays(pools, returned: BonusCreditReturned, envelope: Envelope) -> None:
    async with pools["bonus"].acquire() as conn, conn.transaction():
        await when_membership_returns_bonus_pay_it_out(conn, [Incoming.handed(returned, envelope)])


async def cash_payouts(pools, household: str) -> list[dict]:
    rows = await pools["bonus"].fetch("SELECT value, headers FROM outbox WHERE topic = $1 AND key = $2",
                                      BONUS_PAYOUTS.name, household.encode())
    return [orjson.loads(row["value"]) for row in rows]


async def test_bonus_withheld_for_a_contribution_paid_meanwhile_is_paid_back_in_cash_once(pools, settings):
    _, household, config = await member(pools, settings, first_payment=10000)  # paid in full at joining
    await bonus_believes_open(pools, household, 8000)
    await book(pools["bonus"], accepted(unique("r"), household, datetime(2047, 2, 14, 12, tzinfo=timezone.utc),
                                        90000))
    await close(pools["bonus"], MONTH)
    payout, envelope = await closed_payout(pools, household)
    assert (payout.contribution_cents, payout.transactions) == (4500, [])  # 900 € → 5 %, all to the fee

    await membership_takes(pools, config, payout, envelope)
    [(returned, cause)] = await returns_of(pools, household)
    assert (returned.payout_id, returned.applied_cents, returned.returned_cents, returned.reason) == \
        (payout.payout_id, 0, 4500, "contribution_fully_paid")
    assert await pools["membership"].fetchval(
        "SELECT count(*) FROM contribution_payments WHERE payment_id = $1", f"bonus:{payout.payout_id}") == 0

    await bonus_pays(pools, returned, cause)
    await bonus_pays(pools, returned, dataclasses.replace(cause, id=str(uuid.uuid4())))  # re-sent: paid once
    [cash] = await cash_payouts(pools, household)
    assert cash["payout_id"] == f"{household}:2047-02:returned"
    assert (cash["transactions"], cash["contribution_cents"], cash["rate_bp"], cash["due_on"]) == \
        ([{"kind": "bonus", "amount_cents": 4500}], 0, 500, "2047-06-05")  # its own due day has passed


async def test_only_what_a_partly_paid_contribution_cannot_take_comes_back(pools, settings):
    person, household, config = await member(pools, settings, first_payment=2000)
    # paid by bank transfer meanwhile: 2,000 of the 10,000 left open
    await run(pools["membership"], config, PayContribution(
        person_id=person, payment_id=unique("pay"), amount_cents=6000, paid_at=JOINED + timedelta(days=30)))
    await bonus_believes_open(pools, household, 4700)
    # 900 € → 45.00 € Bonus, of which 600 € with the S-Etukortti payment feature → 3.00 € benefit
    await book(pools["bonus"], accepted(unique("r"), household, datetime(2047, 4, 20, 12, tzinfo=timezone.utc),
                                        90000, pmb=60000))
    await close(pools["bonus"], date(2047, 4, 1))
    payout, envelope = await closed_payout(pools, household)
    assert payout.contribution_cents == 4700  # 45.00 Bonus + 2.00 of the benefit went to the fee
    assert payout.transactions[0].model_dump() == {"kind": "payment_method_benefit", "amount_cents": 100}

    await membership_takes(pools, config, payout, envelope)
    await membership_takes(pools, config, payout, dataclasses.replace(envelope, id=str(uuid.uuid4())))
    payment = await pools["membership"].fetchrow(
        "SELECT amount_cents, excess_cents FROM contribution_payments WHERE payment_id = $1",
        f"bonus:{payout.payout_id}")
    assert (payment["amount_cents"], payment["excess_cents"]) == (2000, 2700)
    [(returned, cause)] = await returns_of(pools, household)  # the repeat booked nothing, returned nothing
    assert (returned.applied_cents, returned.returned_cents) == (2000, 2700)

    await bonus_pays(pools, returned, cause)
    [cash] = await cash_payouts(pools, household)
    # the fee took Bonus first, so what comes back is the benefit's 2.00 first, then 25.00 of Bonus
    assert sorted((t["kind"], t["amount_cents"]) for t in cash["transactions"]) == \
        [("bonus", 2500), ("payment_method_benefit", 200)]
    assert cash["payout_id"] == f"{payout.payout_id}:returned"


async def test_bonus_for_a_household_membership_does_not_know_comes_back_whole(pools, settings):
    config = MembershipConfig.from_settings(settings)
    household = unique("h")
    payout = BonusPayout(payout_id=f"{household}:2047-02", household_id=household, month="2047-02", rate_bp=300,
                         due_on=date(2047, 3, 10), transactions=[], contribution_cents=900)
    await membership_takes(pools, config, payout, Envelope(id=str(uuid.uuid4()), source="t", type="t",
                                                           time=PAID_AT))
    [(returned, cause)] = await returns_of(pools, household)
    assert (returned.returned_cents, returned.reason) == (900, "unknown_household")
    await bonus_pays(pools, returned, cause)
    [cash] = await cash_payouts(pools, household)
    assert cash["transactions"] == [{"kind": "bonus", "amount_cents": 900}]  # no statement: all as Bonus
