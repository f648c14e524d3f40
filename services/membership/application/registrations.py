"""Use cases: registrations with Bonus-granting partners, supporter groups of associations, and the
household's customer group — recorded with their validity, history kept (rules: `domain.registrations`).

Partner registrations and customer groups are data of owner-customers and household members (seed §5), so
a person in no household is refused (`not_in_household`), as is a deceased one. A partner registration's
change publishes the person's state (`membership.persons.v1` carries their partner registrations), which
the purchases service reads to credit partner purchases; supporter groups and customer groups are not
published: the register API's extract shows them.
"""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import (
    EndPartnerRegistration,
    JoinSupporterGroup,
    LeaveSupporterGroup,
    RegisterWithPartner,
    SetHouseholdGroup,
)
from services.membership.adapters import households, registrations
from services.membership.adapters.registrations import PersonRegistration
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.domain.errors import HouseholdDissolved, NotInHousehold, UnknownHousehold
from services.membership.domain.membership import check_person_is_alive
from services.membership.domain.registrations import (
    GroupPeriod,
    Validity,
    check_group_id,
    check_partner_id,
    household_group_change,
    is_new_period,
    period_to_end,
)
from shared.db import Connection

FOR_HOUSEHOLDS_ONLY = "partner registrations and customer groups are kept for owner-customers and household members"


async def _recorded(conn: Connection, kind: PersonRegistration, person_id: str, ref: str) -> list[Validity]:
    return [Validity(r["valid_from"], r["valid_to"]) for r in await registrations.periods(conn, kind, person_id, ref)]


async def _start(conn: Connection, kind: PersonRegistration, person_id: str, ref: str, validity: Validity) -> None:
    person = await locked_person(conn, person_id)
    check_person_is_alive(person["deceased_on"] is not None)
    if await households.current_of(conn, person_id) is None:
        raise NotInHousehold(FOR_HOUSEHOLDS_ONLY)
    if is_new_period(await _recorded(conn, kind, person_id, ref), validity):
        await registrations.add(conn, kind, person_id, ref, validity.valid_from, validity.valid_to)


async def _end(conn: Connection, kind: PersonRegistration, person_id: str, ref: str, at) -> None:
    await locked_person(conn, person_id)
    period = period_to_end(await _recorded(conn, kind, person_id, ref), at)
    if period is not None:
        await registrations.end(conn, kind, person_id, ref, period.valid_from, at)


async def register_with_partner(conn: Connection, command: RegisterWithPartner, cause: Envelope,
                                config: MembershipConfig) -> None:
    validity = Validity(command.valid_from, command.valid_to)
    await _start(conn, PersonRegistration.PARTNER, command.person_id, check_partner_id(command.partner_id), validity)
    await publish.person(conn, command.person_id, cause)


async def end_partner_registration(conn: Connection, command: EndPartnerRegistration, cause: Envelope,
                                   config: MembershipConfig) -> None:
    await _end(conn, PersonRegistration.PARTNER, command.person_id, check_partner_id(command.partner_id),
               command.ended_at)
    await publish.person(conn, command.person_id, cause)


async def join_supporter_group(conn: Connection, command: JoinSupporterGroup, cause: Envelope,
                               config: MembershipConfig) -> None:
    validity = Validity(command.valid_from, command.valid_to)
    await _start(conn, PersonRegistration.SUPPORTER_GROUP, command.person_id, check_group_id(command.group_id),
                 validity)


async def leave_supporter_group(conn: Connection, command: LeaveSupporterGroup, cause: Envelope,
                                config: MembershipConfig) -> None:
    await _end(conn, PersonRegistration.SUPPORTER_GROUP, command.person_id, check_group_id(command.group_id),
               command.left_at)


async def set_household_group(conn: Connection, command: SetHouseholdGroup, cause: Envelope,
                              config: MembershipConfig) -> None:
    household = await households.lock(conn, command.household_id)
    if household is None:
        raise UnknownHousehold()
    if household["status"] != "active":
        raise HouseholdDissolved()
    row = await registrations.current_household_group(conn, command.household_id)
    current = GroupPeriod(row["group_code"], row["valid_from"]) if row else None
    change = household_group_change(current, command.group_id, command.valid_from, household["founded_at"])
    if change.ends_current_at is not None:
        await registrations.end_household_group(conn, command.household_id, change.ends_current_at)
    if change.starts is not None:
        await registrations.start_household_group(conn, command.household_id, change.starts, command.valid_from)
