"""Use cases: what the membership service publishes about people and households, as the consent service
keeps it — the person's facts a segment may use, their household, S-Bank's reference, death, and the
register's marketing prohibition (each change of it a statement on the all-marketing block). A tombstone
on `membership.persons.v1` is the person's erasure: their receipts go, and every segment and their consent
state get a tombstone."""
from __future__ import annotations

from typing import cast

from contracts.envelope import Envelope
from contracts.events.membership_states import HouseholdState, PersonState
from services.consent.adapters import people, suppressions
from services.consent.application.change_consent import Provenance, record
from services.consent.application.config import ConsentConfig
from services.consent.application.erase_person import erase_person, erased_sbank_token, restore_suppression
from services.consent.application.sbank_inbound import apply_parked
from services.consent.application.settle import settle
from services.consent.domain.consent import register_prohibition_statement
from shared.db import Connection
from shared.delivery import Incoming, tombstone_key

PROHIBITION_SOURCES = {"customer": "register", "sbank": "sbank", "population_register": "population_register"}


def _fields(state: PersonState) -> dict:
    return {"household_id": state.household_id, "cooperative_id": state.cooperative_id,
            "customer_kind": state.customer_kind, "language": state.language, "deceased": state.deceased,
            "marketing_prohibition": state.marketing_prohibition,
            "marketing_prohibition_source": state.marketing_prohibition_source,
            "address_protection": state.address_protection, "home_municipality": state.home_municipality,
            "birth_year": state.birth_year, "sbank_customer_ref": state.sbank_customer_ref}


async def _record_prohibition(conn: Connection, before, state: PersonState, cause: Envelope) -> None:
    statement = register_prohibition_statement(before["marketing_prohibition"], state.marketing_prohibition,
                                               cause.time)
    if statement is not None:
        source = PROHIBITION_SOURCES.get(state.marketing_prohibition_source or "customer", "register")
        await record(conn, state.person_id, [statement], Provenance(source, "membership", "membership"),
                     cause.id)


async def apply_person_state(conn: Connection, state: PersonState, cause: Envelope, config: ConsentConfig) -> None:
    locked = await people.lock(conn, [state.person_id], households=[state.household_id])
    before = await people.person(conn, state.person_id)
    if before["erased_at"] is not None or state.version <= before["state_version"]:
        return await people.count_ignored(conn, "membership", "erased" if before["erased_at"] else "stale")
    if state.sbank_customer_ref is not None:
        await people.unlink_sbank_ref(conn, state.sbank_customer_ref, state.person_id)
        # the reference is a registered person's again (only their own registration links an erased one's)
        await suppressions.forget_erased_sbank_customer(conn, erased_sbank_token(config, state.sbank_customer_ref))
    await people.save_state(conn, state.person_id, state.version, _fields(state))
    await _record_prohibition(conn, before, state, cause)
    if not before["known"]:  # an erased person's prohibitions follow them to a new record
        await restore_suppression(conn, state.person_id, state.sbank_customer_ref, cause, config)
    await settle(conn, locked, cause, config)
    if state.sbank_customer_ref is not None:
        await apply_parked(conn, state.person_id, state.sbank_customer_ref, cause.correlation, config)


async def apply_person_states(conn: Connection, messages: list[Incoming], config: ConsentConfig) -> None:
    states = [cast(PersonState, m.data) for m in messages if m.data is not None]
    await people.lock(conn, [tombstone_key(m) for m in messages if m.data is None] + [s.person_id for s in states],
                      households=[s.household_id for s in states])  # the batch's locks in one order: no deadlock
    for message in messages:
        if message.data is None:
            await erase_person(conn, tombstone_key(message), config, message.envelope)
        else:  # the delivery validated it against the topic's model
            await apply_person_state(conn, cast(PersonState, message.data), message.envelope, config)


async def apply_household_state(conn: Connection, state: HouseholdState, cause: Envelope,
                                config: ConsentConfig) -> None:
    locked = await people.lock(conn, [], households=[state.household_id])
    if await people.save_household(conn, state.household_id, state.version, state.status,
                                   state.main_member_person_id, state.cooperative_id):
        await settle(conn, locked, cause, config)


async def apply_household_states(conn: Connection, messages: list[Incoming], config: ConsentConfig) -> None:
    await people.lock(conn, [], households=[tombstone_key(m) if m.data is None
                                            else cast(HouseholdState, m.data).household_id for m in messages])
    for message in messages:
        if message.data is None:  # a tombstone: the household's main member was erased
            await people.forget_household(conn, tombstone_key(message))
        else:
            await apply_household_state(conn, cast(HouseholdState, message.data), message.envelope, config)
