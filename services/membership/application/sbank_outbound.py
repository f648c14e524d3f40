"""Outbound to S-Bank: a shared customer's base-data change made in the register (by the customer or from
the population register), as one `RegisterSbankUpdate` per change, through the outbox.

Only fields the S-Bank contract has leave; a protected address (non-disclosure) never does. A change that
came from S-Bank is never sent back: the S-Bank use case does not call this.
"""
from __future__ import annotations

import re
import uuid

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.fields import PersonName, PostalAddress
from contracts.events.sbank import MarketingProhibitions, RegisterSbankUpdate
from contracts.topics import REGISTER_SBANK_UPDATES
from services.membership.application.publish import event
from services.membership.domain.precedence import FieldChange, FieldGroup, Version
from shared import outbox

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


SENT_AS = {FieldGroup.NAME: "name", FieldGroup.PERMANENT_ADDRESS: "address", FieldGroup.MOBILE_PHONE: "phone",
           FieldGroup.EMAIL: "email", FieldGroup.LANGUAGE: "language",
           FieldGroup.MARKETING_PROHIBITION: "prohibitions"}
CONVERT = {"name": lambda v: PersonName(**v), "address": lambda v: PostalAddress(**v),
           "phone": lambda v: v["number"], "email": lambda v: v["address"], "language": lambda v: v,
           "prohibitions": lambda v: MarketingProhibitions(all_marketing=v)}


def _fields(changes: list[FieldChange], non_disclosure: bool) -> tuple[dict, list[str]]:
    """The S-Bank contract's fields set and removed by `changes`; the rest of the register's stays home."""
    fields: dict = {}
    removed: list[str] = []
    for change in changes:
        name = SENT_AS.get(change.group)
        if name is None or (name == "address" and non_disclosure):
            continue
        if change.value is None:
            removed.append(name)
        else:
            fields[name] = CONVERT[name](change.value)
    return fields, removed


def _message_id(cause: Envelope) -> str:
    return cause.id if SAFE_ID.match(cause.id) else str(uuid.uuid5(NAMESPACE, cause.id))


async def send_to_sbank(conn, person, changes: list[FieldChange], version: Version, cause: Envelope) -> None:
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
