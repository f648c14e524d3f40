"""The membership service on the real stack: an S-Bank round trip without echo, a death from the population
register, a cooperative transfer mid-month as the other services read it, and the return of surplus from
Bonus statements published on the broker."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import orjson
import pytest

from contracts.events.bonus import BonusStatement
from contracts.events.dvv import PopulationUpdate
from contracts.events.membership import (
    AcceptInvitation,
    InviteToHousehold,
    TransferMembership,
    UpdateContactData,
)
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import (
    BONUS_STATEMENTS,
    DVV_POPULATION_UPDATES,
    MEMBERSHIP_BENEFITS,
    MEMBERSHIP_COMMANDS,
    MEMBERSHIP_HOUSEHOLDS,
    MEMBERSHIP_PERSONS,
    REGISTER_SBANK_UPDATES,
    SBANK_CUSTOMER_UPDATES,
)
from coopreg.client import read_topic
from services.membership.application.config import MembershipConfig
from services.membership.application.yearly import pay_yearly_benefits
from services.membership.domain.cooperatives import YearlyDecision
from services.membership.entrypoints.service import SERVICE
from shared.dead_letters import dlq_topic
from shared.runtime import open_pool
from tests.support.people import T0, join, register, unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def send(client, key: str, *commands) -> None:
    for command in commands:
        await client.send(MEMBERSHIP_COMMANDS, key, command)
    await client.flush()


async def published(settings, topic, key: str) -> list[dict]:
    records = await read_topic(settings, topic, timeout=3)
    return [orjson.loads(r.value) for r in records if r.key == key.encode()]


async def registered(db, *person_ids: str) -> bool:
    return await db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = ANY($1)",
                             list(person_ids)) == len(person_ids)


async def contact(db, person_id: str, group: str):
    value = await db.fetchval("SELECT value FROM membership.base_data WHERE person_id = $1 AND field_group = $2"
                              " AND ended_at IS NULL", person_id, group)
    return orjson.loads(value) if value else None


async def test_an_sbank_round_trip_never_echoes(settings, client, db):
    customer = register(sbank_customer_ref=unique("SB"))
    ref = customer.sbank_customer_ref
    await send(client, customer.person_id, customer)
    await eventually(lambda: registered(db, customer.person_id))
    # the customer changes their e-mail with an S-Group company: it goes to S-Bank
    await send(client, customer.person_id, UpdateContactData(person_id=customer.person_id, email="uusi@example.fi",
                                                             updated_at=T0 + timedelta(days=1)))
    (outbound,) = await eventually(lambda: published(settings, REGISTER_SBANK_UPDATES, ref))
    assert (outbound["origin"], outbound["email"]) == ("register", "uusi@example.fi")
    # S-Bank passes the register's own change back, then makes a change of its own
    passed_on = {k: v for k, v in outbound.items() if k not in ("causation_id", "origin", "update_id")}
    echo = SbankCustomerUpdate(**passed_on, update_id=unique("sb"), origin="register")
    own = SbankCustomerUpdate(update_id=unique("sb"), sbank_customer_ref=ref, origin="sbank",
                              phone="+358509998877", source_time=T0 + timedelta(days=2))
    for update in (echo, own):
        await client.send(SBANK_CUSTOMER_UPDATES, ref, update)
    await client.flush()
    await eventually(lambda: _has_phone(db, customer.person_id, "+358509998877"))
    assert await db.fetchval("SELECT count FROM membership.ignored_updates WHERE source = 'sbank'"
                             " AND reason = 'echo'") >= 1
    await eventually(lambda: _outbox_empty(db))
    assert len(await published(settings, REGISTER_SBANK_UPDATES, ref)) == 1  # nothing went back to S-Bank


async def _has_phone(db, person_id: str, number: str) -> bool:
    return await contact(db, person_id, "mobile_phone") == {"number": number}


async def _outbox_empty(db) -> bool:
    return await db.fetchval("SELECT count(*) FROM membership.outbox") == 0


async def test_a_death_from_the_population_register_ends_the_membership_and_the_household(settings, client, db):
    main, adult = register(), register()
    joined = join(main.person_id, cents=3000)
    await send(client, main.person_id, main)
    await send(client, adult.person_id, adult)
    await eventually(lambda: registered(db, main.person_id, adult.person_id))
    invitation = InviteToHousehold(invitation_id=unique("inv"), main_member_person_id=main.person_id,
                                   invitee_person_id=adult.person_id, invited_at=T0)
    accepted = AcceptInvitation(invitation_id=invitation.invitation_id, person_id=adult.person_id,
                                accepted_at=T0 + timedelta(hours=1))
    await send(client, main.person_id, joined, invitation, accepted)
    await eventually(lambda: _latest(settings, MEMBERSHIP_HOUSEHOLDS, joined.household_id,
                                     lambda s: len(s["members"]) == 2))
    died = T0 + timedelta(days=5)
    await client.send(DVV_POPULATION_UPDATES, unique("vtj"), PopulationUpdate(
        update_id=unique("vtj"), identity_code=main.identity_code, kind="death", date_of_death=died.date(),
        effective_date=died.date(), source_time=died + timedelta(hours=6)))
    await client.flush()
    household = await eventually(lambda: _latest(settings, MEMBERSHIP_HOUSEHOLDS, joined.household_id,
                                                 lambda s: s["status"] == "dissolved"))
    assert household["membership_status"] == "deceased"
    assert {m["person_id"]: m["left_because"] for m in household["members"]} == {
        main.person_id: "deceased", adult.person_id: "dissolved"}
    person = await eventually(lambda: _latest(settings, MEMBERSHIP_PERSONS, main.person_id, lambda s: s["deceased"]))
    assert person["marketing_prohibition"] is True and person["household_id"] is None
    (refund,) = await eventually(lambda: published(settings, MEMBERSHIP_BENEFITS, main.person_id))
    assert (refund["kind"], refund["amount_cents"]) == ("contribution_refund", 3000)


async def test_a_transfer_mid_month_shows_the_new_cooperative_for_the_whole_month(settings, client, db):
    customer = register()
    joined = join(customer.person_id, cooperative="hok-elanto", cents=10000)
    await send(client, customer.person_id, customer, joined)
    await eventually(lambda: _latest(settings, MEMBERSHIP_HOUSEHOLDS, joined.household_id,
                                     lambda s: s["cooperative_id"] == "hok-elanto"))
    mid_month = datetime(2030, 9, 16, 14, 0, tzinfo=timezone.utc)
    await send(client, customer.person_id, TransferMembership(
        person_id=customer.person_id, to_cooperative_id="turun", new_membership_id=unique("m"),
        transferred_at=mid_month))
    household = await eventually(lambda: _latest(settings, MEMBERSHIP_HOUSEHOLDS, joined.household_id,
                                                 lambda s: s["cooperative_id"] == "turun"))
    assert datetime.fromisoformat(household["cooperative_from"]) == datetime(2030, 8, 31, 21, 0,
                                                                             tzinfo=timezone.utc)
    assert household["status"] == "active" and household["open_contribution_cents"] == 0
    person = await eventually(lambda: _latest(settings, MEMBERSHIP_PERSONS, customer.person_id,
                                              lambda s: s["cooperative_id"] == "turun"))
    assert person["customer_kind"] == "owner_customer"
    assert date.fromisoformat(household["contribution_deadline"]) == date(2032, 3, 10)


async def _latest(settings, topic, key: str, condition) -> dict | None:
    states = await published(settings, topic, key)
    latest = max(states, key=lambda s: s["version"]) if states else None
    return latest if latest is not None and condition(latest) else None


async def test_a_refused_command_is_dead_lettered_with_its_reason_and_changes_nothing(settings, client, db):
    bad = register(code="131052-308U")
    await send(client, bad.person_id, bad)

    async def dead_letter():
        records = await read_topic(settings, dlq_topic(MEMBERSHIP_COMMANDS.name), timeout=3)
        return [dict((k, v.decode()) for k, v in r.headers) for r in records if r.key == bad.person_id.encode()]
    (letter,) = await eventually(dead_letter)
    assert (letter["dlq_reason"], letter["dlq_consumer"]) == ("invalid_identity_code", "membership")
    assert "131052" not in letter["dlq_detail"]
    assert not await registered(db, bad.person_id)


def _statement(household_id: str, month: str, cents: int, cooperative: str) -> BonusStatement:
    return BonusStatement(
        statement_id=f"st:{household_id}:{month}", household_id=household_id, month=month, cooperative_id=cooperative,
        table_version="common-2020", rate_bp=200, tier_total_cents=cents, bonus_eligible_cents=cents,
        own_cooperative_eligible_cents=cents, fuel_cents=0, fuel_millilitres=0, payment_method_eligible_cents=0,
        bonus_cents=cents // 50, fuel_bonus_cents=0, payment_method_benefit_cents=0, receipts=4, members=[])


async def test_the_return_of_surplus_is_paid_from_the_statements_published_by_bonus(settings, client, db):
    cooperative, year = "suur-savo", 2046  # only this test's member has a decision on it
    customer = register()
    joined = join(customer.person_id, cooperative=cooperative, cents=10000,
                  at=datetime(year, 1, 20, 10, 0, tzinfo=timezone.utc))
    await send(client, customer.person_id, customer, joined)
    await eventually(lambda: _latest(settings, MEMBERSHIP_HOUSEHOLDS, joined.household_id, lambda s: True))
    household, stranger = joined.household_id, unique("h")
    for statement in (_statement(household, f"{year}-03", 123_456, cooperative),
                      _statement(household, f"{year}-03", 123_456, cooperative),  # re-sent by the bonus service
                      _statement(household, f"{year}-10", 76_544, cooperative),
                      _statement(stranger, f"{year}-03", 5_000, cooperative)):
        await client.send(BONUS_STATEMENTS, statement.household_id, statement)
    await client.flush()

    async def kept():
        return await db.fetchval("SELECT sum(own_cooperative_eligible_cents) FROM membership.bonus_statements"
                                 " WHERE household_id = $1", household) == 200_000

    async def dead_letter():
        records = await read_topic(settings, dlq_topic(BONUS_STATEMENTS.name), timeout=3)
        return [dict((k, v.decode()) for k, v in r.headers) for r in records if r.key == stranger.encode()]
    await eventually(kept)
    (letter,) = await eventually(dead_letter)
    assert (letter["dlq_reason"], letter["dlq_consumer"]) == ("unknown_household", "membership-statements")

    config = MembershipConfig.from_settings(settings)
    decided = dataclasses.replace(config.cooperatives[cooperative], yearly_decisions=(
        YearlyDecision(financial_year=year, interest_rate_bp=0, surplus_rate_bp=300, paid_on=date(year + 1, 5, 20)),))
    config = dataclasses.replace(config, cooperatives={**config.cooperatives, cooperative: decided})
    pool = await open_pool(settings, SERVICE)
    try:
        run = await pay_yearly_benefits(pool, config, year, date(year + 1, 5, 31), chunk_size=10)
    finally:
        await pool.close()
    assert run.payouts == 1
    (surplus,) = await eventually(lambda: published(settings, MEMBERSHIP_BENEFITS, customer.person_id))
    assert (surplus["kind"], surplus["amount_cents"], surplus["household_id"]) == ("surplus_return", 6000, household)
