"""Use case: S-Bank's update of a shared customer's base data (`sbank.customer-updates.v1`).

- An update S-Bank passes on from the register (`origin` register) is the register's own change coming
  back: ignored and counted, never applied twice or sent back again.
- The person is found by S-Bank's reference, else by the identity code's blind index (which links the
  reference); neither → `unknown_customer`, but an identity code that names an erased person
  (`erased_subjects`) is counted as `erased_subject` and stores nothing — no link, no data, no dead letter.
  A wrong check character → `invalid_identity_code`.
- Each field group is applied by the documented precedence (`domain.precedence`): stale ones are counted.
- Nothing goes back to S-Bank: the change came from there. Permissions (e-mail, SMS opt-ins) and the
  separate blocks are the consent service's; the all-marketing block is the person's marketing prohibition.
"""
from __future__ import annotations

from typing import cast

from contracts.events.sbank import SbankCustomerUpdate
from services.membership.adapters import persons
from services.membership.application import publish
from services.membership.application.base_data import address_value, apply_changes, name_value
from services.membership.application.config import MembershipConfig
from services.membership.application.erased_subjects import ERASED_SUBJECT, is_erased_subject
from services.membership.domain.contact import normalise_email, normalise_phone
from services.membership.domain.errors import UnknownCustomer
from services.membership.domain.identity_code import parse_identity_code
from services.membership.domain.precedence import FieldChange, FieldGroup, Source, Version
from shared.commands import apply_each
from shared.db import Connection
from shared.delivery import Incoming

REMOVED = {"address": FieldGroup.PERMANENT_ADDRESS, "phone": FieldGroup.MOBILE_PHONE, "email": FieldGroup.EMAIL}


def sbank_changes(update: SbankCustomerUpdate) -> list[FieldChange]:
    changes: list[FieldChange] = []
    if update.name is not None:
        changes.append(FieldChange(FieldGroup.NAME, name_value(update.name)))
    if (a := update.address) is not None:
        changes.append(FieldChange(FieldGroup.PERMANENT_ADDRESS,
                                   address_value(a.street, a.postal_code, a.city, a.country_code)))
    if update.phone is not None:
        changes.append(FieldChange(FieldGroup.MOBILE_PHONE, {"number": normalise_phone(update.phone)}))
    if update.email is not None:
        changes.append(FieldChange(FieldGroup.EMAIL, {"address": normalise_email(update.email)}))
    if update.language is not None:
        changes.append(FieldChange(FieldGroup.LANGUAGE, update.language))
    if update.prohibitions is not None and update.prohibitions.all_marketing is not None:
        changes.append(FieldChange(FieldGroup.MARKETING_PROHIBITION, update.prohibitions.all_marketing))
    return changes + [FieldChange(REMOVED[name], None) for name in update.removed]


async def _find_person(conn: Connection, update: SbankCustomerUpdate, config: MembershipConfig) -> str | None:
    """The person the update is about; None for an erased person (counted); UnknownCustomer for nobody."""
    code = parse_identity_code(update.identity_code) if update.identity_code else None
    person_id = await persons.by_sbank_ref(conn, update.sbank_customer_ref)
    if person_id is None and code is not None:
        person_id = await persons.by_token(conn, config.identity_token(code))
        if person_id is not None:
            await persons.link_sbank_ref(conn, person_id, update.sbank_customer_ref)
    if person_id is None and await is_erased_subject(conn, code, config):
        await persons.count_ignored(conn, Source.SBANK.value, ERASED_SUBJECT)
        return None
    if person_id is None:
        raise UnknownCustomer()
    return person_id


async def apply_sbank_update(conn: Connection, message: Incoming, config: MembershipConfig) -> None:
    update = cast(SbankCustomerUpdate, message.data)  # the delivery validated it against the topic's model
    if update.origin == "register":
        await persons.count_ignored(conn, Source.SBANK.value, "echo")
        return
    changes = sbank_changes(update)
    person_id = await _find_person(conn, update, config)
    if person_id is None:
        return
    await persons.lock(conn, person_id)
    await apply_changes(conn, person_id, changes, Version(Source.SBANK, update.source_time))
    await publish.person(conn, person_id, message.envelope)


async def apply_sbank_updates(conn: Connection, messages: list[Incoming], config: MembershipConfig) -> None:
    await apply_each(conn, messages, apply_sbank_update, config)
