"""Use case: change data from the population register (`dvv.population-updates.v1`).

Names, addresses, the home municipality, non-disclosure and the marketing prohibition are applied by the
documented precedence (the population register outranks the other sources on names, the permanent
address and the home municipality). A shared customer's change goes on to S-Bank, a protected address
never. A death ends everything at once: the membership (refunding the contribution, dissolving the
household if the person was its main member), the person's place in a household, pending invitations,
partner registrations and supporter groups, and marketing. An update for a person the register does not
know, or erased (`erased_subjects`), has no effect (counted).
"""
from __future__ import annotations

from typing import TypeVar, cast

from contracts.events.dvv import PopulationUpdate
from services.membership.adapters import households, memberships, persons, registrations
from services.membership.application import publish
from services.membership.application.base_data import address_value, apply_changes, name_value
from services.membership.application.config import MembershipConfig
from services.membership.application.erased_subjects import count_unknown
from services.membership.application.membership_end import end_membership
from services.membership.application.sbank_outbound import send_to_sbank
from services.membership.domain.identity_code import parse_identity_code
from services.membership.domain.membership import MembershipStatus
from services.membership.domain.precedence import FieldChange, FieldGroup, Source, Version
from shared.commands import apply_each
from shared.db import Connection
from shared.delivery import Incoming

T = TypeVar("T")


def _given(value: T | None) -> T:
    """A field the update's kind requires (REQUIRED_FIELDS): the contract's validator refused it without."""
    assert value is not None, "PopulationUpdate requires this field for its kind"
    return value


FLAGS = {"non_disclosure": FieldGroup.NON_DISCLOSURE, "marketing_prohibition": FieldGroup.MARKETING_PROHIBITION}


def population_changes(update: PopulationUpdate) -> list[FieldChange]:
    if update.kind == "name":
        return [FieldChange(FieldGroup.NAME, name_value(_given(update.name)))]
    if update.kind in FLAGS:
        return [FieldChange(FLAGS[update.kind], getattr(update, update.kind))]
    a = _given(update.address)
    value = address_value(a.street, a.postal_code, a.city, a.country_code)
    if update.address_kind == "temporary":
        valid_until = update.address_valid_until.isoformat() if update.address_valid_until else None
        return [FieldChange(FieldGroup.TEMPORARY_ADDRESS, {**value, "valid_until": valid_until})]
    changes = [FieldChange(FieldGroup.PERMANENT_ADDRESS, value)]
    if update.home_municipality:
        changes.append(FieldChange(FieldGroup.HOME_MUNICIPALITY, {"code": update.home_municipality}))
    return changes


async def record_death(conn: Connection, person, update: PopulationUpdate, cause) -> None:
    """End the person's memberships and household roles and stop marketing, at the register's learning of it."""
    person_id, at = person["person_id"], update.source_time
    if person["deceased_on"] is not None:
        return
    await persons.mark_deceased(conn, person_id, _given(update.date_of_death))
    await registrations.end_all_of(conn, person_id, at)
    await households.cancel_invitations_to(conn, person_id, at)
    current = await households.current_of(conn, person_id)
    if current is not None:
        await households.end_membership_of(conn, current["household_id"], person_id, at, "deceased")
    membership = await memberships.active_of(conn, person_id)
    if membership is not None:
        await end_membership(conn, membership, MembershipStatus.DECEASED, at, cause)
    elif current is not None:
        await publish.household(conn, current["household_id"], cause)
    await publish.person(conn, person_id, cause)


async def apply_population_update(conn: Connection, message: Incoming, config: MembershipConfig) -> None:
    update = cast(PopulationUpdate, message.data)  # the delivery validated it against the topic's model
    code = parse_identity_code(update.identity_code, allow_temporary=True)
    person_id = await persons.by_token(conn, config.identity_token(code))
    if person_id is None:
        return await count_unknown(conn, Source.DVV.value, code, config)
    person = await persons.lock(conn, person_id)
    if update.kind == "death":
        return await record_death(conn, person, update, message.envelope)
    version = Version(Source.DVV, update.source_time)
    applied = await apply_changes(conn, person_id, population_changes(update), version)
    await send_to_sbank(conn, person, applied, version, message.envelope)
    await publish.person(conn, person_id, message.envelope)


async def apply_population_updates(conn: Connection, messages: list[Incoming], config: MembershipConfig) -> None:
    await apply_each(conn, messages, apply_population_update, config)
