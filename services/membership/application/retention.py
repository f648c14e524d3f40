"""The membership service's part of retention and erasure, called by the register API's scheduled job and
its erasure requests with a connection to this service's schema (one transaction per call).

Cut-offs come from the register's retention periods (data): ended base data, ended contact data,
household data (with customer and supporter groups), orders (partner registrations) and staff data are
erased two years after they ended, the Bonus statements kept for the return of surplus two years after
their month (paid Bonus); a person whose customer relationship ended before the `customer_relationship`
cut-off is erased but for the member register (memberships, contributions, payments, interest and surplus returns, and the name), which
the Co-operatives Act and the tax rules keep.
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.membership.adapters import retention
from services.membership.application import publish

BASE_GROUPS = ["name", "language", "marketing_prohibition", "non_disclosure"]
CONTACT_GROUPS = ["permanent_address", "temporary_address", "home_municipality", "mobile_phone", "other_phone",
                  "email"]


class RelationshipActive(Exception):
    """The person is a member or in a household: their data are needed until the relationship ends."""


async def erase_expired(conn, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    """Erase what has passed its retention; return the rows erased by data group."""
    steps = {
        "ended_base_data": lambda at: retention.ended_base_data(conn, BASE_GROUPS, at),
        "ended_contact_data": lambda at: retention.ended_base_data(conn, CONTACT_GROUPS, at),
        "household_data": lambda at: retention.ended_household_data(conn, at),
        "orders": lambda at: retention.ended_orders(conn, at),
        "staff_data": lambda at: retention.ended_staff_data(conn, at),
        "paid_bonus": lambda at: retention.bonus_statements_of_months_ended(conn, at),
    }
    return {group: await step(cutoffs[group]) for group, step in steps.items() if group in cutoffs}


async def relationship_ended(conn, cutoffs: Mapping[str, datetime], limit: int = 500) -> list[str]:
    """Persons whose customer relationship ended before the cut-off and who are not erased yet."""
    if "customer_relationship" not in cutoffs:
        return []
    return await retention.relationship_ended_before(conn, cutoffs["customer_relationship"], limit)


async def erase_person(conn, person_id: str) -> dict[str, int | bool]:
    """Erase the person but for the member register; refused while the relationship is active. The
    person's key on `membership.persons.v1` gets its tombstone in the same transaction, and each household
    they were ever in is published again without them (a tombstone where they were its main member)."""
    if await retention.relationship_active(conn, person_id):
        raise RelationshipActive(person_id)
    keep = await retention.has_statutory_records(conn, person_id)
    households = await retention.households_of(conn, person_id)
    rows = await retention.erase_person(conn, person_id, keep)
    await publish.person_erased(conn, person_id)
    republished = await publish.households_without(conn, person_id, households)
    return {"rows": rows, "member_register_kept": keep, "person_state_tombstoned": True, **republished}


async def relationship_active_now(conn, person_id: str) -> bool:
    return await retention.relationship_active(conn, person_id)
