"""Use cases of the household: invite an adult, the adult accepts, add a minor, leave or be removed.

A person belongs to one household at a time; an adult joins only by accepting the main member's
invitation, and counts in the household from the acceptance, never from the invitation.
"""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import AcceptInvitation, AddMinor, InviteToHousehold, LeaveHousehold
from services.membership.adapters import households
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.domain.errors import (
    DuplicateId,
    HouseholdDissolved,
    InvitationForAnotherPerson,
    InvitationNotPending,
    NotInHousehold,
    NotMainMember,
    UnknownInvitation,
)
from services.membership.domain.household_rules import (
    JoiningMethod,
    MinorIsAddedDirectlyByTheMainMember,
    check_can_join_household,
    check_can_leave_household,
)
from services.membership.domain.membership import check_person_is_alive
from services.membership.domain.numbers import helsinki_date
from shared.db import Connection


async def _household_of_main_member(conn: Connection, person_id: str):
    await locked_person(conn, person_id)
    household = await households.active_of_main_member(conn, person_id)
    if household is None:
        raise NotMainMember()
    return household


async def _joiner(conn: Connection, person_id: str, config: MembershipConfig):
    person = await locked_person(conn, person_id)
    check_person_is_alive(person["deceased_on"] is not None)
    current = await households.current_of(conn, person_id)
    return config.identity_code_of(person), current["household_id"] if current else None


async def invite_to_household(conn: Connection, command: InviteToHousehold, cause: Envelope,
                              config: MembershipConfig) -> None:
    household = await _household_of_main_member(conn, command.main_member_person_id)
    code, _ = await _joiner(conn, command.invitee_person_id, config)
    MinorIsAddedDirectlyByTheMainMember(code, JoiningMethod.ACCEPTED_INVITATION,
                                        helsinki_date(command.invited_at)).check()
    if not await households.invite(conn, command.invitation_id, household["household_id"],
                                   command.invitee_person_id, command.invited_at):
        raise DuplicateId("invitation_id")


async def accept_invitation(conn: Connection, command: AcceptInvitation, cause: Envelope,
                            config: MembershipConfig) -> None:
    invitation = await households.invitation(conn, command.invitation_id)
    if invitation is None:
        raise UnknownInvitation()
    if invitation["status"] != "pending":
        raise InvitationNotPending()
    if invitation["invitee_person_id"] != command.person_id:
        raise InvitationForAnotherPerson()
    household = await households.lock_named(conn, invitation["household_id"])
    if household["status"] != "active":
        raise HouseholdDissolved()
    code, current = await _joiner(conn, command.person_id, config)
    check_can_join_household(code, current, JoiningMethod.ACCEPTED_INVITATION, helsinki_date(command.accepted_at))
    await households.add_member(conn, household["household_id"], command.person_id, "member",
                                JoiningMethod.ACCEPTED_INVITATION.value, command.accepted_at)
    await households.decide_invitation(conn, command.invitation_id, "accepted", command.accepted_at)
    await publish.household(conn, household["household_id"], cause)
    await publish.person(conn, command.person_id, cause)


async def add_minor(conn: Connection, command: AddMinor, cause: Envelope, config: MembershipConfig) -> None:
    household = await _household_of_main_member(conn, command.main_member_person_id)
    code, current = await _joiner(conn, command.person_id, config)
    check_can_join_household(code, current, JoiningMethod.ADDED_BY_MAIN_MEMBER, helsinki_date(command.added_at))
    await households.add_member(conn, household["household_id"], command.person_id, "member",
                                JoiningMethod.ADDED_BY_MAIN_MEMBER.value, command.added_at)
    await publish.household(conn, household["household_id"], cause)
    await publish.person(conn, command.person_id, cause)


async def leave_household(conn: Connection, command: LeaveHousehold, cause: Envelope, config: MembershipConfig) -> None:
    await locked_person(conn, command.person_id)
    current = await households.current_of(conn, command.person_id)
    if current is None:
        raise NotInHousehold()
    household = await households.lock_named(conn, current["household_id"])
    leaving_themself = command.actor_person_id == command.person_id
    check_can_leave_household(leaver_is_main_member=current["role"] == "main_member",
                              actor_is_the_member=leaving_themself,
                              actor_is_main_member=command.actor_person_id == household["main_person_id"])
    await households.end_membership_of(conn, household["household_id"], command.person_id, command.left_at,
                                       "left" if leaving_themself else "removed")
    await publish.household(conn, household["household_id"], cause)
    await publish.person(conn, command.person_id, cause)
