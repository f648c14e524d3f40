"""Outbound to S-Bank: a shared customer's base-data change made in the register (by the customer or from
the population register), as one `RegisterSbankUpdate` per change, through the outbox.

Only fields the S-Bank contract has leave; a protected address (non-disclosure) never does. A change that
came from S-Bank is never sent back: the S-Bank use case does not call this.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from contracts.disclosures import LEGAL_BASES, SBANK, DisclosureEntry
from contracts.envelope import NAMESPACE, Envelope
from contracts.events.fields import PersonName, PostalAddress
from contracts.events.sbank import MarketingProhibitions, RegisterSbankUpdate, Removable
from contracts.topics import REGISTER_SBANK_UPDATES
from services.membership.application.publish import event
from services.membership.domain.precedence import FieldChange, FieldGroup, Version
from shared import disclosure_log, outbox
from shared.db import Connection

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


SENT_AS = {FieldGroup.NAME: "name", FieldGroup.PERMANENT_ADDRESS: "address", FieldGroup.MOBILE_PHONE: "phone",
           FieldGroup.EMAIL: "email", FieldGroup.LANGUAGE: "language",
           FieldGroup.MARKETING_PROHIBITION: "prohibitions"}
# The S-Bank contract's fields as the register's extract names them, for the disclosure log.
DISCLOSED_AS = {"name": "person.name", "address": "contact.permanent_address", "phone": "contact.mobile_phone",
                "email": "contact.email", "language": "person.language",
                "prohibitions": "person.marketing_prohibition"}
# What S-Bank can be told is gone: contact data. A name, a language or the prohibitions always have a value.
REMOVABLE: dict[str, Removable] = {"address": "address", "phone": "phone", "email": "email"}
CONVERT = {"name": lambda v: PersonName(**v), "address": lambda v: PostalAddress(**v),
           "phone": lambda v: v["number"], "email": lambda v: v["address"], "language": lambda v: v,
           "prohibitions": lambda v: MarketingProhibitions(all_marketing=v)}


def _fields(changes: list[FieldChange], non_disclosure: bool) -> tuple[dict, list[Removable]]:
    """The S-Bank contract's fields set and removed by `changes`; the rest of the register's stays home."""
    fields: dict = {}
    removed: list[Removable] = []
    for change in changes:
        name = SENT_AS.get(change.group)
        if name is None or (name == "address" and non_disclosure):
            continue
        if change.value is None:
            removed.append(REMOVABLE[name])
        else:
            fields[name] = CONVERT[name](change.value)
    return fields, removed


def _message_id(cause: Envelope) -> str:
    return cause.id if SAFE_ID.match(cause.id) else str(uuid.uuid5(NAMESPACE, cause.id))


async def send_to_sbank(conn: Connection, person, changes: list[FieldChange], version: Version,
                        cause: Envelope) -> None:
    """Stage the update for S-Bank if the person is S-Bank's customer and something S-Bank keeps changed."""
    ref = person["sbank_customer_ref"]
    if ref is None or not changes:
        return
    fields, removed = _fields(changes, person["non_disclosure"])
    if not fields and not removed:
        return
    person_id = person["person_id"]
    update_id = f"reg-{uuid.uuid5(NAMESPACE, f'{cause.id}:{person_id}')}"
    update = RegisterSbankUpdate(update_id=update_id, sbank_customer_ref=ref, removed=removed,
                                 source_time=version.source_time, causation_id=_message_id(cause), **fields)
    await outbox.add(conn, [event(REGISTER_SBANK_UPDATES, ref, update, cause, f"sbank:{update_id}")])
    # the disclosure to S-Bank, logged in the same transaction as the message (seed §7)
    await disclosure_log.record(conn, [DisclosureEntry(
        disclosure_id=update_id, person_id=person_id, kind="sbank_update", recipient=SBANK,
        data=tuple(sorted({DISCLOSED_AS[name] for name in (*fields, *removed)})),
        legal_basis=LEGAL_BASES["sbank_update"], reference=update_id, disclosed_at=datetime.now(timezone.utc),
        recorded_by="membership")])
