"""The first slice on the real stack: POS receipt → household month → month close → payout."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import orjson
import pytest

from contracts.events.bonus import CloseBonusMonth
from contracts.events.cards import IssueCard
from contracts.events.membership_states import BenefitAccountRef, HouseholdMember, HouseholdState
from contracts.topics import (
    BONUS_COMMANDS,
    BONUS_PAYOUTS,
    BONUS_STATEMENTS,
    CARD_COMMANDS,
    MEMBERSHIP_HOUSEHOLDS,
    POS_PURCHASES,
)
from coopreg.client import read_topic
from coopreg.simulate.receipts import card_number, pos_purchase
from shared.dead_letters import dlq_topic
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
ISSUED = datetime(2025, 1, 1, tzinfo=timezone.utc)


async def issue_card(client, person: str, household: str, number: str, cooperative: str = "hok-elanto"):
    command = IssueCard(card_number=number, card_type="cash_card", person_id=person, household_id=household,
                        cooperative_id=cooperative, membership_id=f"m-{household}", valid_from=ISSUED)
    await client.send(CARD_COMMANDS, person, command)
    await client.flush()


async def cards_known(db, household: str, count: int):
    """The purchases service's projection knows this household's cards (the receipts can resolve)."""
    return await db.fetchval("SELECT count(*) FROM purchases.card_allocations WHERE household_id = $1",
                             household) >= count


async def payouts_of(settings, household: str) -> list[dict]:
    records = await read_topic(settings, BONUS_PAYOUTS)
    return [orjson.loads(r.value) for r in records if r.key == household.encode()]


async def statements_of(settings, household: str) -> list[dict]:
    records = await read_topic(settings, BONUS_STATEMENTS, timeout=3)
    return [orjson.loads(r.value) for r in records if r.key == household.encode()]


async def test_household_purchases_pool_into_one_tier_and_pay_out_once(settings, client, db):
    household, seq = f"h-{uuid.uuid4().hex[:8]}", uuid.uuid4().int % 10**9
    cards = {"a": card_number(seq), "b": card_number(seq + 1)}
    # two members of one household, each with a card
    await issue_card(client, f"{household}-a", household, cards["a"])
    await issue_card(client, f"{household}-b", household, cards["b"])
    await eventually(lambda: cards_known(db, household, 2))
    at = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)  # a month that has ended: it may be closed
    # member A buys 300 € (paid with the S-Etukortti Visa), member B 250 € in cash
    first = pos_purchase(f"r-{household}-1", cards["a"], at, [("grocery", 30000)], payment="s_etukortti_debit")
    second = pos_purchase(f"r-{household}-2", cards["b"], at, [("grocery", 25000)])
    for receipt in (first, second, first):  # the first one is delivered twice
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()

    async def booked():
        return await db.fetchval("SELECT receipts FROM bonus.accruals WHERE household_id = $1", household) == 2
    await eventually(booked)
    await client.send(BONUS_COMMANDS, "2026-03", CloseBonusMonth(month="2026-03"))
    await client.flush()

    # The household has no benefit account on record: the month's statement goes out, its payout is held
    [statement] = await eventually(lambda: statements_of(settings, household), timeout=30)
    assert await payouts_of(settings, household) == []
    assert await db.fetchval("SELECT cash_cents FROM bonus.held_payouts WHERE household_id = $1"
                             " AND released_at IS NULL", household) == 1800
    # ... until membership names the main member's account: then it is paid, to that account, once
    account = BenefitAccountRef(account_ref="e2e-account", account_type="current_account", last_four="0785",
                                valid_from=ISSUED, sealed_for=f"{household}-a", iban_sealed="c2VhbGVk")
    await client.send(MEMBERSHIP_HOUSEHOLDS, household, HouseholdState(
        household_id=household, version=1, status="active", main_member_person_id=f"{household}-a",
        membership_id=f"m-{household}", cooperative_id="hok-elanto", cooperative_from=ISSUED,
        member_number="1234567897", membership_status="active", open_contribution_cents=0,
        contribution_deadline=date(2032, 1, 1), founded_at=ISSUED, benefit_account=account,
        members=[HouseholdMember(person_id=f"{household}-a", role="main_member", joined_by="founded",
                                 joined_at=ISSUED)]))
    await client.flush()
    [payout] = await eventually(lambda: payouts_of(settings, household), timeout=30)
    assert (payout["payout_id"], payout["benefit_account"]) == (f"{household}:2026-03", account.model_dump(mode="json"))
    # pooled 550 € → 3.0 % → 16.50 €; payment-method benefit 0.5 % of 300 € → 1.50 €, separate deposits
    assert payout["transactions"] == [{"kind": "bonus", "amount_cents": 1650},
                                      {"kind": "payment_method_benefit", "amount_cents": 150}]
    assert (payout["rate_bp"], payout["due_on"], payout["month"]) == (300, "2026-04-10", "2026-03")
    assert await db.fetchval("SELECT count(*) FROM purchases.receipts WHERE receipt_id = $1",
                             first.receipt_id) == 1
    # and the month's statement: both members, all at Helsinki's own outlets
    assert (statement["rate_bp"], statement["tier_total_cents"], statement["bonus_cents"],
            statement["own_cooperative_eligible_cents"]) == (300, 55000, 1650, 55000)
    assert [(m["person_id"], m["receipts"]) for m in statement["members"]] == [(f"{household}-a", 1),
                                                                            (f"{household}-b", 1)]


async def test_malformed_messages_land_in_the_dlq_with_reasons_while_valid_ones_flow(settings, client, db):
    household, seq = f"h-{uuid.uuid4().hex[:8]}", uuid.uuid4().int % 10**9
    number = card_number(seq)
    await issue_card(client, f"{household}-a", household, number)
    await eventually(lambda: cards_known(db, household, 1))
    at = datetime(2026, 5, 2, 9, 30, tzinfo=timezone.utc)
    valid = pos_purchase(f"r-{household}-ok", number, at, [("grocery", 1234)])
    in_sek = orjson.loads(valid.model_dump_json()) | {"currency": "SEK", "receipt_id": f"r-{household}-sek"}
    missing = orjson.loads(valid.model_dump_json())
    del missing["lines"]
    marker = household.encode()
    await client.send_raw(POS_PURCHASES, b"{not json", key=marker)
    await client.send_raw(POS_PURCHASES, orjson.dumps(missing), key=marker)
    await client.send_raw(POS_PURCHASES, orjson.dumps(in_sek), key=marker)
    await client.send(POS_PURCHASES, household, valid)
    await client.flush()

    async def stored():
        return await db.fetchval("SELECT status FROM purchases.receipts WHERE receipt_id = $1", valid.receipt_id)
    assert await eventually(stored) == "accepted"
    dead = await eventually(lambda: _dead_letters(settings, marker))
    reasons = [(h["dlq_reason"], h["dlq_detail"]) for h in dead]
    assert [r for r, _ in reasons] == ["not_json", "schema_violation", "schema_violation"]
    assert "lines" in reasons[1][1] and "currency" in reasons[2][1]
    assert all(h["dlq_consumer"] == "purchases" for h in dead)


async def _dead_letters(settings, key: bytes) -> list[dict]:
    records = await read_topic(settings, dlq_topic(POS_PURCHASES.name), timeout=3)
    found = [{k: v.decode() for k, v in r.headers} for r in records if r.key == key]
    return found if len(found) >= 3 else []
