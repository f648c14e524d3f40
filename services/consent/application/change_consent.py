"""Use case: a change of blocks or permissions, whatever its source — recorded as consent receipts, put in
force when it is the latest statement of its item, then settled (consent state, segments) and, when the
customer made it with the register and S-Bank shares the customer, sent on to S-Bank."""
from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import Envelope
from services.consent.adapters import consents, people
from services.consent.adapters.consents import Receipt
from services.consent.application import sbank_outbound
from services.consent.application.config import ConsentConfig
from services.consent.application.settle import settle
from services.consent.domain.consent import HOUSEHOLD_WIDE_BLOCKS, Statement, block_item, latest_statement_wins
from services.consent.domain.errors import PersonErased
from shared.db import Connection

HOUSEHOLD_WIDE_ITEMS = frozenset(block_item(block) for block in HOUSEHOLD_WIDE_BLOCKS)


@dataclass(frozen=True)
class Provenance:
    """Who made the change, through which source and collection point."""

    source: str
    collection_point: str
    actor: str


async def record(conn: Connection, person_id: str, statements: list[Statement], provenance: Provenance,
                 cause_id: str) -> list[Statement]:
    """Append a receipt per statement; return those now in force that changed a value (the person's row
    must be locked)."""
    changed = []
    for statement in statements:
        receipt = Receipt(person_id, statement.item, statement.value, provenance.source,
                          provenance.collection_point, provenance.actor, statement.at, cause_id)
        receipt_id = await consents.append(conn, receipt)
        current = await consents.in_force(conn, person_id, statement.item)
        if latest_statement_wins(statement, current and Statement(statement.item, *current)):
            await consents.put_in_force(conn, receipt, receipt_id)
            if current is None or current[0] != statement.value:
                changed.append(statement)
    return changed


async def change_consent(conn: Connection, person_id: str, statements: list[Statement], provenance: Provenance,
                         cause: Envelope, config: ConsentConfig) -> list[Statement]:
    locked = await people.lock(conn, [person_id])
    row = await people.person(conn, person_id)
    if row["erased_at"] is not None:
        raise PersonErased()
    changed = await record(conn, person_id, statements, provenance, cause.id)
    if not changed:
        return changed
    household_wide = any(statement.item in HOUSEHOLD_WIDE_ITEMS for statement in changed)
    await settle(conn, locked if household_wide else [person_id], cause, config)
    await sbank_outbound.send(conn, row, changed, provenance.source, cause)
    return changed
