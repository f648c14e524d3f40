"""Base and contact data changes, whatever their source: validated into field changes, applied by the
documented precedence (`domain.precedence`), history kept, stale ones counted."""
from __future__ import annotations

from contracts.events.fields import PersonName
from services.membership.adapters import base_data, persons
from services.membership.domain.contact import normalise_email, normalise_phone, postal_address
from services.membership.domain.precedence import (
    FieldChange,
    FieldGroup,
    Source,
    Version,
    split_by_precedence,
)
from shared.db import Connection

# Field groups the person's row carries too (the current value, for the rules and the published state).
PERSON_FLAGS = frozenset({FieldGroup.LANGUAGE, FieldGroup.MARKETING_PROHIBITION, FieldGroup.NON_DISCLOSURE,
                          FieldGroup.CHILDREN_BIRTH_YEARS})
REMOVABLE = {"temporary_address": FieldGroup.TEMPORARY_ADDRESS, "mobile_phone": FieldGroup.MOBILE_PHONE,
             "other_phone": FieldGroup.OTHER_PHONE, "email": FieldGroup.EMAIL}


def name_value(name: PersonName) -> dict:
    return {"first_names": name.first_names, "last_name": name.last_name}


def address_value(street: str, postal_code: str, city: str, country_code: str) -> dict:
    address = postal_address(street, postal_code, city, country_code)
    return {"street": address.street, "postal_code": address.postal_code, "city": address.city,
            "country_code": address.country_code}


def _optional(changes: list[FieldChange], group: FieldGroup, raw, convert) -> None:
    if raw is not None:
        changes.append(FieldChange(group, convert(raw)))


def contact_changes(data) -> list[FieldChange]:
    """The validated changes of a register command (`RegisterCustomer`, `UpdateContactData`); raises the
    specific violation (invalid_address, invalid_phone, invalid_email) before anything is written."""
    changes: list[FieldChange] = []
    _optional(changes, FieldGroup.PERMANENT_ADDRESS, data.address,
              lambda a: address_value(a.street, a.postal_code, a.city, a.country_code))
    temporary = getattr(data, "temporary_address", None)
    _optional(changes, FieldGroup.TEMPORARY_ADDRESS, temporary, lambda a: {
        **address_value(a.street, a.postal_code, a.city, a.country_code),
        "valid_until": a.valid_until.isoformat() if a.valid_until else None})
    _optional(changes, FieldGroup.HOME_MUNICIPALITY, data.home_municipality, lambda code: {"code": code})
    _optional(changes, FieldGroup.MOBILE_PHONE, data.mobile_phone, lambda text: {"number": normalise_phone(text)})
    _optional(changes, FieldGroup.OTHER_PHONE, data.other_phone, lambda text: {"number": normalise_phone(text)})
    _optional(changes, FieldGroup.EMAIL, data.email, lambda text: {"address": normalise_email(text)})
    _optional(changes, FieldGroup.LANGUAGE, data.language, lambda value: value)
    _optional(changes, FieldGroup.MARKETING_PROHIBITION, data.marketing_prohibition, lambda value: value)
    changes += [FieldChange(REMOVABLE[name], None) for name in getattr(data, "removed", [])]
    return changes


async def apply_changes(conn: Connection, person_id: str, changes: list[FieldChange],
                        version: Version) -> list[FieldChange]:
    """Apply the changes that supersede the current values; return them. The person row must be locked."""
    current = {FieldGroup(group): Version(Source(source), time)
               for group, (source, time) in (await base_data.versions(conn, person_id)).items()}
    applied, stale = split_by_precedence(changes, version, current)
    for change in applied:
        await base_data.record(conn, person_id, change.group.value, change.value, version.source.value,
                               version.source_time)
        if change.group in PERSON_FLAGS:
            await persons.set_flag(conn, person_id, change.group.value, change.value)
    for change in stale:
        await persons.count_ignored(conn, version.source.value, f"stale:{change.group.value}")
    return applied
