"""The membership service's part of retention and erasure, called by the register API's scheduled job and
its erasure requests with a connection to this service's schema (one transaction per call).

Cut-offs come from the register's retention periods (data): ended base data (with the children's birth
years and the joining outlets a correction replaced), ended contact data,
household data (with customer and supporter groups), orders (partner registrations) and staff data are
erased two years after they ended, the Bonus statements kept for the return of surplus two years after
their month (paid Bonus), and the stored tax authority reports (`tax_reports`) once their period has passed; a
person whose customer relationship ended before the `customer_relationship`
cut-off, or a customer who never joined whose last activity (their own here, or in the web stores and digital
services as the digital service reported it) lies before the `inactive_customer` cut-off, is erased but for
the member register (memberships, contributions, payments, interest and surplus returns, and the name), which
the Co-operatives Act and the tax rules keep.
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.membership.adapters import retention
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from shared import disclosure_log
from shared.db import Connection

BASE_GROUPS = ["name", "language", "marketing_prohibition", "non_disclosure", "children_birth_years"]
CONTACT_GROUPS = ["permanent_address", "temporary_address", "home_municipality", "mobile_phone", "other_phone",
                  "email"]


class RelationshipActive(Exception):
    """The person is a member or in a household: their data are needed until the relationship ends."""


async def erase_expired(conn: Connection, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    """Erase what has passed its retention; return the rows erased by data group."""
    steps = {
        "ended_base_data": lambda at: _ended_base_data(conn, at),
        "ended_contact_data": lambda at: retention.ended_base_data(conn, CONTACT_GROUPS, at),
        "household_data": lambda at: retention.ended_household_data(conn, at),
        "orders": lambda at: retention.ended_orders(conn, at),
        "staff_data": lambda at: retention.ended_staff_data(conn, at),
        "paid_bonus": lambda at: retention.bonus_statements_of_months_ended(conn, at),
        "tax_reports": lambda at: retention.tax_reports_written_before(conn, at),
        "disclosures": lambda at: disclosure_log.erase_before(conn, at),
    }
    return {group: await step(cutoffs[group]) for group, step in steps.items() if group in cutoffs}


async def _ended_base_data(conn: Connection, cutoff: datetime) -> int:
    """Ended base data, and the joining outlets a correction replaced (membership data of the person's own)."""
    count = await retention.ended_base_data(conn, BASE_GROUPS, cutoff)
    return count + await retention.replaced_values(conn, "joining_outlet", cutoff)


async def relationship_ended(conn: Connection, cutoffs: Mapping[str, datetime], limit: int = 500) -> list[str]:
    """Persons not erased yet whose customer relationship ended before the `customer_relationship` cut-off,
    and customers who never joined a cooperative nor a household whose last activity lies before the
    `inactive_customer` cut-off (their relationship has no other end)."""
    ended, inactive = cutoffs.get("customer_relationship"), cutoffs.get("inactive_customer")
    if ended is None and inactive is None:
        return []
    return await retention.relationship_ended_before(conn, ended, inactive, limit)


async def erase_person(conn: Connection, person_id: str,
                       config: MembershipConfig | None = None) -> dict[str, int | bool]:
    """Erase the person but for the member register; refused while the relationship is active. The
    person's key on `membership.persons.v1` gets its tombstone in the same transaction, and each household
    they were ever in is published again without them (a tombstone where they were its main member).

    The identity-code index goes with the rest; what stays to recognise the person is their erasure
    marker (`application/erased_subjects.py`), made at registration. `config` makes it for a person
    registered before markers were (it decrypts their identity code); without it such a person keeps none."""
    if await retention.relationship_active(conn, person_id):
        raise RelationshipActive(person_id)
    marker = _erasure_marker(await retention.person_row(conn, person_id), config)
    keep = await retention.has_statutory_records(conn, person_id)
    households = await retention.households_of(conn, person_id)
    rows = await retention.erase_person(conn, person_id, keep)
    disclosures = await disclosure_log.erase_person(conn, person_id)
    if marker is not None:
        await retention.keep_erasure_marker(conn, marker)
    await publish.person_erased(conn, person_id)
    republished = await publish.households_without(conn, person_id, households)
    # after the households were published without them: the dissolved households no longer name them
    await retention.forget_main_member(conn, person_id)
    return {"rows": rows, "disclosures": disclosures, "member_register_kept": keep, "person_state_tombstoned": True,
            "erasure_marker_kept": marker is not None, **republished}


def _erasure_marker(row, config: MembershipConfig | None) -> str | None:
    if row is None or row["erased_at"] is not None:  # nobody, or erased before: nothing to keep again
        return None
    if row["erasure_marker"] is not None or config is None:
        return row["erasure_marker"]
    return config.erasure_marker(config.identity_code_of(row))


async def relationship_active_now(conn: Connection, person_id: str) -> bool:
    return await retention.relationship_active(conn, person_id)
