"""Reaction: keep what the purchases service needs of the people's states on `membership.persons.v1`: their
partner registrations, by which a partner purchase is credited (`adapters/receipts.py`,
`PARTNER_UNREGISTERED`), and their right to the staff discount (from HR), by which a staff discount given on
a receipt is checked (`STAFF_DISCOUNT_FLAGGED`). A tombstone (the person was erased) removes both."""
from __future__ import annotations

from typing import cast

from contracts.events.membership_states import PersonState
from services.purchases.adapters import partner_registrations, staff_discounts
from services.purchases.adapters.partner_registrations import RegistrationPeriod
from services.purchases.adapters.staff_discounts import StaffRight
from shared.db import Connection
from shared.delivery import Incoming, tombstone_key


def _periods(state: PersonState | None) -> list[RegistrationPeriod]:
    # A state published before registrations were on the topic lists none (null): nothing to credit by.
    if state is None or not state.partner_registrations:
        return []
    return [RegistrationPeriod(r.partner_id, r.valid_from, r.valid_to) for r in state.partner_registrations]


def _state(message: Incoming) -> PersonState | None:
    """The person's state, as the delivery validated it against the topic's model; None: a tombstone."""
    return cast(PersonState | None, message.data)


def _person_id(message: Incoming) -> str:
    state = _state(message)
    return state.person_id if state is not None else tombstone_key(message)


async def keep_person_states(conn: Connection, messages: list[Incoming]) -> None:
    # In partition order a later state of the same person replaces an earlier one: each lists every
    # registration, so only the last state of each person in the batch matters.
    latest = {_person_id(m): _state(m) for m in messages}
    await partner_registrations.replace(conn, {person_id: _periods(state) for person_id, state in latest.items()})
    await staff_discounts.forget(conn, [person_id for person_id, state in latest.items() if state is None])
    # The right by version (each state is whole, the highest wins), of those not erased since in the batch.
    states = [state for state in map(_state, messages) if state is not None]
    await staff_discounts.keep_rights(conn, [
        StaffRight(s.person_id, s.version, s.staff_discount) for s in states if latest[s.person_id] is not None])
