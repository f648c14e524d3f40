"""Use cases that change a person's registrations kept over time: with Bonus-granting partners (the `orders`
section), in supporter groups of associations, and their household's customer group (the `customer_groups`
section). Each publishes the membership command the service takes from `membership.commands.v1`, sealed for
the person, and audits it (`publish_change`).

What the request alone decides is checked here with the membership service's own rules, so a bad id or a
period ending before it starts is a 422 with its reason; what depends on the register's state (overlapping
periods, a person in no household, nothing to end) the service decides, as for any sender of the command.
"""
from __future__ import annotations

from datetime import datetime

from contracts.events.membership import (
    EndPartnerRegistration,
    JoinSupporterGroup,
    LeaveSupporterGroup,
    MembershipCommand,
    RegisterWithPartner,
    SetHouseholdGroup,
)
from contracts.topics import MEMBERSHIP_COMMANDS
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Conflict, NotFound
from services.register_api.application.gather import gather
from services.register_api.application.publish import check_known, check_membership_command, publish_change
from services.register_api.domain.access import Principal, check_person


async def _publish(api: RegisterApi, principal: Principal, purpose: str, person_id: str, command, *, key: str,
                   field: str, operation: str) -> dict:
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=key, person_id=person_id,
                                command=MembershipCommand(command), fields=[field], operation=operation)


async def register_with_partner(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                partner_id: str, valid_from: datetime | None, valid_to: datetime | None) -> dict:
    check_person(principal, "partner_registration:change", person_id)
    command = RegisterWithPartner(person_id=person_id, partner_id=partner_id, valid_from=valid_from or api.clock(),
                                  valid_to=valid_to)
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    return await _publish(api, principal, purpose, person_id, command, key=person_id, field="orders.partner_id",
                          operation="register_with_partner")


async def end_partner_registration(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                   partner_id: str) -> dict:
    """The registration with the partner in force now ends now."""
    check_person(principal, "partner_registration:change", person_id)
    command = EndPartnerRegistration(person_id=person_id, partner_id=partner_id, ended_at=api.clock())
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    return await _publish(api, principal, purpose, person_id, command, key=person_id, field="orders.valid_to",
                          operation="end_partner_registration")


async def join_supporter_group(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                               group_id: str, valid_from: datetime | None, valid_to: datetime | None) -> dict:
    check_person(principal, "customer_group:change", person_id)
    command = JoinSupporterGroup(person_id=person_id, group_id=group_id, valid_from=valid_from or api.clock(),
                                 valid_to=valid_to)
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    return await _publish(api, principal, purpose, person_id, command, key=person_id,
                          field="customer_groups.supporter_groups", operation="join_supporter_group")


async def leave_supporter_group(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                group_id: str) -> dict:
    """The person's period in the supporter group in force now ends now."""
    check_person(principal, "customer_group:change", person_id)
    command = LeaveSupporterGroup(person_id=person_id, group_id=group_id, left_at=api.clock())
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    return await _publish(api, principal, purpose, person_id, command, key=person_id,
                          field="customer_groups.supporter_groups", operation="leave_supporter_group")


async def _current_household(api: RegisterApi, person_id: str) -> dict:
    found = await gather(api, person_id, ["household"])
    if found is None:
        raise NotFound("no such person")
    household = found["household"]
    if household["household_id"] is None:
        raise Conflict("not_in_household", "the person belongs to no household now")
    return household


async def set_household_group(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                              group_id: str | None, valid_from: datetime | None) -> dict:
    """The customer group of the household the person belongs to now; None ends the current one. Keyed by
    the household's main member, like the other household commands."""
    check_person(principal, "household_group:change", person_id)
    household = await _current_household(api, person_id)
    command = SetHouseholdGroup(household_id=household["household_id"], group_id=group_id,
                                valid_from=valid_from or api.clock())
    await check_membership_command(api, MembershipCommand(command))
    receipt = await _publish(api, principal, purpose, person_id, command, key=household["main_member_person_id"],
                             field="customer_groups.household_groups", operation="set_household_group")
    receipt["change"]["household_id"] = command.household_id
    return receipt
