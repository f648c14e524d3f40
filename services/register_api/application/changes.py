"""Use cases that change a person's data: rectification, the marketing prohibition, blocks, permissions and
choices (e-receipts), and household membership. Each publishes the same command the services take from their topics
(`membership.commands.v1`, `consent.commands.v1`), sealed for the person, and audits it."""
from __future__ import annotations

import uuid

from contracts.events.consent import (
    Block,
    Choice,
    ConsentCommand,
    PermissionChannel,
    SetBlock,
    SetChoice,
    SetPermission,
)
from contracts.events.membership import (
    AcceptInvitation,
    AccountType,
    BenefitAccountInput,
    ChangeBenefitAccount,
    ChangedBy,
    InviteToHousehold,
    LeaveHousehold,
    MembershipCommand,
    RectifyPersonalData,
    UpdateContactData,
)
from contracts.topics import CONSENT_COMMANDS, MEMBERSHIP_COMMANDS
from services.register_api.adapters import audit_log
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Conflict, NotFound
from services.register_api.application.gather import facts
from services.register_api.application.publish import check_known, check_membership_command, publish_change
from services.register_api.domain.access import Principal, check_person, check_scope
from shared.pseudonym import keyed_token


async def rectify_contact_data(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                               changes: dict) -> dict:
    """Correct contact data (a field left out is unchanged); checked as the membership service checks it."""
    check_person(principal, "person:rectify", person_id)
    command = UpdateContactData(person_id=person_id, updated_at=api.clock(), changed_by=_changed_by(principal),
                                **changes)
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    fields = [f"contact.{name}" for name in changes if name != "removed"] + [
        f"contact.{name}" for name in changes.get("removed", [])]
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=person_id,
                                person_id=person_id, command=MembershipCommand(command), fields=fields,
                                operation="rectify_contact_data")


def _changed_by(principal: Principal) -> ChangedBy:
    """The source a correction is kept with: the customer in self-service, else the register keeper's staff."""
    return "customer" if principal.is_data_subject else "staff"


async def rectify_personal_data(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                changes: dict) -> dict:
    """Correct personal data (children living at home, joining outlet, staff data), checked by the membership
    service's own rules first: a name is refused (only the population register changes it), and staff data
    from the customer (they come from the HR register); staff correct staff data only with their own scope."""
    check_person(principal, "person:rectify", person_id)
    command = RectifyPersonalData(person_id=person_id, rectified_at=api.clock(), changed_by=_changed_by(principal),
                                  **changes)
    await check_membership_command(api, MembershipCommand(command))
    if command.staff_employment is not None:
        check_scope(principal, "staff_data:rectify")
    await check_known(api, person_id)
    fields = [f"person.{name}" if name in ("name", "children_birth_years") else
              "memberships.joining_outlet" if name == "joining_outlet" else "staff" for name in changes]
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=person_id,
                                person_id=person_id, command=MembershipCommand(command), fields=fields,
                                operation="rectify_personal_data")


async def change_benefit_account(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                 iban: str, account_type: AccountType) -> dict:
    """The member's benefit payment account from now on (the customer, or staff for them); the membership
    service keeps the previous one as history, and payouts go to the account in force when they are paid."""
    check_person(principal, "person:rectify", person_id)
    command = ChangeBenefitAccount(person_id=person_id, changed_at=api.clock(),
                                   benefit_account=BenefitAccountInput(iban=iban, account_type=account_type),
                                   changed_by=_changed_by(principal))
    await check_membership_command(api, MembershipCommand(command))
    await check_known(api, person_id)
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=person_id,
                                person_id=person_id, command=MembershipCommand(command),
                                fields=["benefit_account"], operation="change_benefit_account")


async def set_marketing_prohibition(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                                    prohibited: bool) -> dict:
    """Prohibit (or allow again) direct marketing and market research."""
    check_person(principal, "consent:change", person_id)
    await check_known(api, person_id)
    command = UpdateContactData(person_id=person_id, marketing_prohibition=prohibited, updated_at=api.clock(),
                                changed_by=_changed_by(principal))
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=person_id,
                                person_id=person_id, command=MembershipCommand(command),
                                fields=["person.marketing_prohibition"], operation="set_marketing_prohibition")


def _consent_origin(api: RegisterApi, principal: Principal) -> dict:
    if principal.is_data_subject:
        return {"source": "self_service", "collection_point": "register-api/self-service", "actor": "customer"}
    return {"source": "customer_service", "collection_point": "register-api/customer-service",
            "actor": "staff:" + keyed_token("staff", principal.user, api.index_key)[:20]}


async def set_block(api: RegisterApi, principal: Principal, purpose: str, person_id: str, block: Block,
                    blocked: bool) -> dict:
    check_person(principal, "consent:change", person_id)
    await check_known(api, person_id)
    command = SetBlock(person_id=person_id, block=block, blocked=blocked, at=api.clock(),
                       **_consent_origin(api, principal))
    return await publish_change(api, principal, purpose, topic=CONSENT_COMMANDS, key=person_id, person_id=person_id,
                                command=ConsentCommand(command), fields=[f"consents.blocks.{block}"],
                                operation="set_block")


async def set_permission(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                         channel: PermissionChannel, granted: bool) -> dict:
    check_person(principal, "consent:change", person_id)
    await check_known(api, person_id)
    command = SetPermission(person_id=person_id, channel=channel, granted=granted, at=api.clock(),
                            **_consent_origin(api, principal))
    return await publish_change(api, principal, purpose, topic=CONSENT_COMMANDS, key=person_id, person_id=person_id,
                                command=ConsentCommand(command), fields=[f"consents.permissions.{channel}"],
                                operation="set_permission")


async def set_choice(api: RegisterApi, principal: Principal, purpose: str, person_id: str, choice: Choice,
                     chosen: bool) -> dict:
    """Choose (or withdraw) a service the customer asks for, e.g. e-receipts: a consent like a block, kept by
    the consent service as a receipt and carried to the purchases service in the person's consent state."""
    check_person(principal, "consent:change", person_id)
    await check_known(api, person_id)
    command = SetChoice(person_id=person_id, choice=choice, chosen=chosen, at=api.clock(),
                        **_consent_origin(api, principal))
    return await publish_change(api, principal, purpose, topic=CONSENT_COMMANDS, key=person_id, person_id=person_id,
                                command=ConsentCommand(command), fields=[f"consents.choices.{choice}"],
                                operation="set_choice")


async def invite_to_household(api: RegisterApi, principal: Principal, purpose: str, main_member_id: str,
                              invitee_id: str) -> dict:
    """The main member invites another person; the invitee accepts with the invitation id."""
    check_person(principal, "household:change", main_member_id)
    await check_known(api, main_member_id)
    command = InviteToHousehold(invitation_id=f"inv-{uuid.uuid4()}", main_member_person_id=main_member_id,
                                invitee_person_id=invitee_id, invited_at=api.clock())
    try:
        await check_known(api, invitee_id)
    except NotFound:
        return await _invitation_to_nobody(api, principal, purpose, command)
    receipt = await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=main_member_id,
                                   person_id=main_member_id, command=MembershipCommand(command),
                                   fields=["household.invitations"], operation="invite_to_household")
    receipt["change"]["invitation_id"] = command.invitation_id
    return receipt


async def _invitation_to_nobody(api: RegisterApi, principal: Principal, purpose: str,
                                command: InviteToHousehold) -> dict:
    """An invitation to an unknown person id is answered as one to a known person (an invitation never
    accepted) and sent nowhere: a 404 would tell anyone who may invite whether a person id exists. The
    audit log records it as refused."""
    async with api.own.acquire() as conn:
        await audit_log.append(conn, audit_log.AuditEntry(
            principal.user, tuple(principal.roles), "refused", "invite_to_household",
            (command.main_member_person_id,), ("household.invitations",), purpose))
    return {"change": {"change_id": str(uuid.uuid4()), "command": getattr(command, "command", "InviteToHousehold"),
                       "person_id": command.main_member_person_id, "fields": ["household.invitations"],
                       "status": "accepted", "topic": MEMBERSHIP_COMMANDS.name,
                       "invitation_id": command.invitation_id}}


async def _household_key(api: RegisterApi, person_id: str, invitation_id: str | None = None) -> str:
    key = (await facts(api, person_id, invitation_id)).household_key
    if key is None:
        raise Conflict("not_in_household" if invitation_id is None else "unknown_invitation",
                       "no such household for this request")
    return key


async def accept_invitation(api: RegisterApi, principal: Principal, purpose: str, person_id: str,
                            invitation_id: str) -> dict:
    check_person(principal, "household:change", person_id)
    await check_known(api, person_id)
    key = await _household_key(api, person_id, invitation_id)
    command = AcceptInvitation(invitation_id=invitation_id, person_id=person_id, accepted_at=api.clock())
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=key, person_id=person_id,
                                command=MembershipCommand(command), fields=["household.household_id"],
                                operation="accept_invitation")


async def leave_household(api: RegisterApi, principal: Principal, purpose: str, person_id: str) -> dict:
    check_person(principal, "household:change", person_id)
    await check_known(api, person_id)
    key = await _household_key(api, person_id)
    command = LeaveHousehold(person_id=person_id, actor_person_id=person_id, left_at=api.clock())
    return await publish_change(api, principal, purpose, topic=MEMBERSHIP_COMMANDS, key=key, person_id=person_id,
                                command=MembershipCommand(command), fields=["household.household_id"],
                                operation="leave_household")
