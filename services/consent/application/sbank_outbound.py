"""Outbound to S-Bank: the consent part of a shared customer's change made with the register, as one
`RegisterSbankUpdate` carrying only permissions and prohibitions, through the outbox."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from contracts.disclosures import LEGAL_BASES, SBANK, DisclosureEntry
from contracts.envelope import NAMESPACE, Envelope
from contracts.events.sbank import MarketingPermissions, MarketingProhibitions, RegisterSbankUpdate
from contracts.topics import REGISTER_SBANK_UPDATES
from services.consent.application.events import event
from services.consent.domain.consent import Statement
from services.consent.domain.sbank_exchange import goes_to_sbank, sbank_parts
from shared import disclosure_log, outbox
from shared.db import Connection

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _message_id(cause: Envelope) -> str:
    return cause.id if SAFE_ID.match(cause.id) else str(uuid.uuid5(NAMESPACE, cause.id))


async def send(conn: Connection, person, changed: list[Statement], source: str, cause: Envelope) -> None:
    """Stage the update when S-Bank shares the customer and keeps something that changed (`NoEcho`)."""
    ref = person["sbank_customer_ref"]
    shared = [statement for statement in changed if goes_to_sbank(source, statement.item)]
    if ref is None or not shared:
        return
    parts = sbank_parts(shared)
    person_id = person["person_id"]
    update_id = f"consent-{uuid.uuid5(NAMESPACE, f'{cause.id}:{person_id}')}"
    update = RegisterSbankUpdate(
        update_id=update_id, sbank_customer_ref=ref, source_time=max(s.at for s in shared),
        causation_id=_message_id(cause),
        permissions=MarketingPermissions(**parts["permissions"]) if "permissions" in parts else None,
        prohibitions=MarketingProhibitions(**parts["prohibitions"]) if "prohibitions" in parts else None)
    await outbox.add(conn, [event(REGISTER_SBANK_UPDATES.name, REGISTER_SBANK_UPDATES.event_type, ref, update,
                                  cause, f"sbank:{update_id}")])
    # the disclosure to S-Bank, logged in the same transaction as the message (seed §7)
    await disclosure_log.record(conn, [DisclosureEntry(
        disclosure_id=update_id, person_id=person_id, kind="sbank_update", recipient=SBANK,
        data=tuple(sorted(f"consents.{statement.item.replace(':', 's.', 1)}" for statement in shared)),
        legal_basis=LEGAL_BASES["sbank_update"], reference=update_id, disclosed_at=datetime.now(timezone.utc),
        recorded_by="consent")])
