"""Joining and the capital contribution on the real PostgreSQL: membership, contribution, benefit account
and household together or not at all; payments booked once; an unpaid contribution ends the membership."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.events.membership import BenefitAccountInput, PayContribution
from contracts.topics import MEMBERSHIP_BENEFITS, MEMBERSHIP_HOUSEHOLDS, MEMBERSHIP_PERSONS
from services.membership.application.config import MembershipConfig
from services.membership.application.deadlines import end_overdue_memberships
from tests.support.membership_db import counts, events, latest, refusal, run, table_dump
from tests.support.people import IBAN, T0, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")


async def member(pool, config, cents: int = 2000, **changes):
    customer = register()
    joined = join(customer.person_id, cents=cents, **changes)
    await run(pool, config, customer, joined)
    return customer, joined


def pay(person_id: str, cents: int, days: int = 1, payment_id: str | None = None, source: str = "payment"):
    return PayContribution(person_id=person_id, payment_id=payment_id or unique("pay"), amount_cents=cents,
                           source=source, paid_at=T0 + timedelta(days=days))


async def test_joining_founds_a_household_with_the_member_as_main_member(pool, config):
    customer, joined = await member(pool, config, cents=2000)
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id)
    assert state["status"] == "active" and state["cooperative_id"] == "hok-elanto"
    assert state["main_member_person_id"] == customer.person_id
    assert state["open_contribution_cents"] == 8000 and state["contribution_deadline"] == "2032-03-10"
    assert state["membership_status"] == "active" and len(state["member_number"]) == 10
    assert [(m["person_id"], m["role"], m["joined_by"]) for m in state["members"]] == [
        (customer.person_id, "main_member", "founded")]
    person = await latest(pool, MEMBERSHIP_PERSONS, customer.person_id)
    assert person["customer_kind"] == "owner_customer" and person["household_id"] == joined.household_id


async def test_the_benefit_account_is_kept_encrypted_with_its_last_four(pool, config):
    customer, _ = await member(pool, config)
    row = await pool.fetchrow("SELECT * FROM benefit_accounts WHERE person_id = $1", customer.person_id)
    assert row["last_four"] == IBAN[-4:]
    assert config.decrypt_iban(customer.person_id, row["iban_encrypted"]) == IBAN
    assert IBAN not in await table_dump(pool)


@pytest.mark.parametrize("changes, reason", [
    ({"benefit_account": None}, "benefit_account_required"),
    ({"benefit_account": BenefitAccountInput(iban="FI2112345600000786")}, "invalid_iban"),
    ({"first_payment_cents": 1999}, "first_payment_too_small"),
    ({"cooperative_id": "no-such-coop"}, "unknown_cooperative"),
])
async def test_a_bad_joining_is_refused_and_nothing_is_recorded(pool, config, changes, reason):
    customer = register()
    await run(pool, config, customer)
    joined = join(customer.person_id, **changes)
    assert await refusal(pool, config, joined) == reason
    assert await counts(pool, "memberships", "contributions", "benefit_accounts", "household_members",
                        where="WHERE person_id = $1", args=(customer.person_id,)) == {
        "memberships": 0, "contributions": 0, "benefit_accounts": 0, "household_members": 0}
    assert await events(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id) == []


async def test_joining_twice_or_unknown_is_refused(pool, config):
    customer, _ = await member(pool, config)
    assert await refusal(pool, config, join(customer.person_id)) == "already_a_member"
    assert await refusal(pool, config, join(unique("nobody"))) == "unknown_person"


async def test_payments_complete_the_contribution_once_each(pool, config):
    customer, joined = await member(pool, config, cents=2000)
    first = pay(customer.person_id, 5000)
    await run(pool, config, first, first, pay(customer.person_id, 2000, days=3, source="bonus"))
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id)
    assert state["open_contribution_cents"] == 1000
    await run(pool, config, pay(customer.person_id, 2500, days=40))
    assert (await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id))["open_contribution_cents"] == 0
    contribution = await pool.fetchrow("SELECT * FROM contributions WHERE person_id = $1", customer.person_id)
    assert contribution["fully_paid_on"] == (T0 + timedelta(days=40)).date()
    assert await pool.fetchval("SELECT sum(excess_cents) FROM contribution_payments WHERE contribution_id = $1",
                               contribution["contribution_id"]) == 1500
    assert await refusal(pool, config, pay(customer.person_id, 100, days=41)) == "contribution_fully_paid"


async def test_a_payment_without_a_membership_is_refused(pool, config):
    customer = register()
    await run(pool, config, customer)
    assert await refusal(pool, config, pay(customer.person_id, 1000)) == "not_a_member"


async def test_an_unpaid_contribution_past_its_deadline_ends_the_membership_and_refunds_the_paid_part(pool, config):
    customer, joined = await member(pool, config, cents=3000)
    assert await end_overdue_memberships(pool, date(2032, 3, 10)) == 0  # the deadline day itself is fine
    assert await end_overdue_memberships(pool, date(2032, 3, 11)) >= 1
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id)
    assert (state["status"], state["membership_status"]) == ("dissolved", "terminated_unpaid")
    refund = await latest(pool, MEMBERSHIP_BENEFITS, customer.person_id)
    assert (refund["kind"], refund["amount_cents"], refund["due_on"]) == ("contribution_refund", 3000, "2032-03-11")
    await end_overdue_memberships(pool, date(2032, 3, 12))
    assert len(await events(pool, MEMBERSHIP_BENEFITS, customer.person_id)) == 1
