"""Reaction: keep the people's partner registrations from `membership.persons.v1`, by which a partner
purchase is credited (`adapters/receipts.py`, `PARTNER_UNREGISTERED`). A tombstone (the person was erased)
removes them."""
from __future__ import annotations

from contracts.events.membership_states import PersonState
from services.purchases.adapters import partner_registrations
from services.purchases.adapters.partner_registrations import RegistrationPeriod
from shared.delivery import Incoming


def _periods(state: PersonState | None) -> list[RegistrationPeriod]:
    # A state published before registrations were on the topic lists none (null): nothing to credit by.
    if state is None or not state.partner_registrations:
        return []
    return [RegistrationPeriod(r.partner_id, r.valid_from, r.valid_to) for r in state.partner_registrations]


def _person_id(message: Incoming) -> str:
    return message.data.person_id if message.data is not None else message.record.key.decode()


async def keep_partner_registrations(conn, messages: list[Incoming]) -> None:
    # In partition order a later state of the same person replaces an earlier one: each lists every
    # registration, so only the last state of each person in the batch matters.
    latest = {_person_id(m): m.data for m in messages}
    await partner_registrations.replace(conn, {person_id: _periods(state) for person_id, state in latest.items()})
