"""Use case: the consent part of S-Bank's update of a shared customer (`sbank.customer-updates.v1`, read in
the consent service's own consumer group; the membership service reads the base data).

- An update S-Bank passes on from the register (`origin` register) is the register's own change coming
  back: ignored and counted, never applied twice or sent back.
- An update without permissions or prohibitions is not the consent service's: acknowledged.
- The person is found by S-Bank's reference as the membership service published it. A reference not
  linked yet (the membership service links it by the identity code, maybe just now) is parked and applied
  when the person's state brings the link — unless it is an erased person's (`erase_person`): then the
  update is counted as `erased_subject` and nothing of it is kept. An update parked while the state bringing
  its link was being applied (neither transaction sees the other's uncommitted row) is applied by the sweep
  (`run_parked_sweep`) once both are committed: no lock between the two consumers, so no deadlock either.
- Nothing goes back to S-Bank (`NoEcho`).
"""
from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import cast

from contracts.envelope import Envelope
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import SBANK_CUSTOMER_UPDATES
from services.consent.adapters import people, sbank, suppressions
from services.consent.application.change_consent import Provenance, change_consent
from services.consent.application.config import ConsentConfig
from services.consent.application.erase_person import erased_sbank_token
from services.consent.domain.consent import Statement
from services.consent.domain.sbank_exchange import statements_from_sbank
from shared.db import Connection
from shared.delivery import Incoming
from shared.jobs import periodically
from shared.logging import get_logger

FROM_SBANK = Provenance("sbank", "sbank", "sbank")


def _statements(update: SbankCustomerUpdate) -> list[Statement]:
    permissions = update.permissions.model_dump() if update.permissions else {}
    prohibitions = update.prohibitions.model_dump() if update.prohibitions else {}
    return statements_from_sbank(permissions, prohibitions, update.source_time)


async def apply_sbank_update(conn: Connection, update: SbankCustomerUpdate, cause: Envelope,
                             config: ConsentConfig) -> None:
    if update.origin == "register":
        return await people.count_ignored(conn, "sbank", "echo")
    statements = _statements(update)
    if not statements:
        return
    person_id = await people.by_sbank_ref(conn, update.sbank_customer_ref)
    if person_id is None and await suppressions.is_erased_sbank_customer(
            conn, erased_sbank_token(config, update.sbank_customer_ref)):
        return await people.count_ignored(conn, "sbank", "erased_subject")
    if person_id is None:
        await sbank.park(conn, update.sbank_customer_ref, [_stored(s) for s in statements], cause.id)
        return await people.count_ignored(conn, "sbank", "parked_unlinked_reference")
    await change_consent(conn, person_id, statements, FROM_SBANK, cause, config)


async def apply_parked(conn: Connection, person_id: str, ref: str, correlation: str | None,
                       config: ConsentConfig) -> int:
    """S-Bank's statements parked for `ref`, now that the person is known by it; how many updates."""
    parked = await sbank.take(conn, ref)
    for stored, cause_id in parked:
        original = Envelope(source=f"kafka:{SBANK_CUSTOMER_UPDATES.name}", type=SBANK_CUSTOMER_UPDATES.event_type,
                            id=cause_id, correlationid=correlation)
        await change_consent(conn, person_id, [_loaded(s) for s in stored], FROM_SBANK, original, config)
    return len(parked)


async def apply_linked_parked(pool, config: ConsentConfig) -> int:
    """One round of the sweep: recently parked updates whose reference is linked now; how many references."""
    async with pool.acquire() as conn:
        linked = await sbank.linked_since(conn, config.now() - config.parked_recheck, config.population_chunk)
    applied = 0
    for ref, person_id in linked:
        async with pool.acquire() as conn, conn.transaction():
            await people.lock(conn, [person_id])
            if await people.by_sbank_ref(conn, ref) == person_id:  # still theirs, and they are not erased
                applied += await apply_parked(conn, person_id, ref, None, config)
    if applied:
        get_logger(component="sbank-parked-sweep").info("parked S-Bank updates applied late", updates=applied)
    return len(linked)


async def run_parked_sweep(pool, config: ConsentConfig, stop: asyncio.Event) -> None:
    """Background job: the sweep now and every `config.parked_sweep_seconds`, at once again after a full round."""
    await periodically(stop, config.parked_sweep_seconds, partial(apply_linked_parked, pool, config),
                       more=lambda references: references >= config.population_chunk)


def _stored(statement: Statement) -> dict:
    return {"item": statement.item, "value": statement.value, "at": statement.at.isoformat()}


def _loaded(stored: dict) -> Statement:
    return Statement(stored["item"], stored["value"], datetime.fromisoformat(stored["at"]))


async def apply_sbank_updates(conn: Connection, messages: list[Incoming], config: ConsentConfig) -> None:
    refs = [cast(SbankCustomerUpdate, m.data).sbank_customer_ref for m in messages]
    await people.lock(conn, await people.by_sbank_refs(conn, refs))  # the batch's locks in one order
    for message in messages:
        update = cast(SbankCustomerUpdate, message.data)  # the delivery validated it against the topic's model
        await apply_sbank_update(conn, update, message.envelope, config)
