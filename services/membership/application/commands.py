"""The membership commands: each to its use case, in order, in the caller's transaction.

A broken rule refuses the message with its stable code (the dead-letter reason); because the whole
transaction is rolled back, nothing of a refused command is applied.
"""
from __future__ import annotations

from contracts.events.membership import (
    AcceptInvitation,
    AddMinor,
    ChangeBenefitAccount,
    EndPartnerRegistration,
    InviteToHousehold,
    JoinCooperative,
    JoinSupporterGroup,
    LeaveHousehold,
    LeaveSupporterGroup,
    PayContribution,
    RectifyPersonalData,
    RegisterCustomer,
    RegisterWithPartner,
    Resign,
    SetHouseholdGroup,
    TransferMembership,
    UpdateContactData,
)
from services.membership.application.benefit_accounts import change_benefit_account
from services.membership.application.config import MembershipConfig
from services.membership.application.contributions import pay_contribution
from services.membership.application.customers import register_customer, update_contact_data
from services.membership.application.households import (
    accept_invitation,
    add_minor,
    invite_to_household,
    leave_household,
)
from services.membership.application.join import join_cooperative
from services.membership.application.membership_end import resign, transfer_membership
from services.membership.application.rectification import rectify_personal_data
from services.membership.application.registrations import (
    end_partner_registration,
    join_supporter_group,
    leave_supporter_group,
    register_with_partner,
    set_household_group,
)
from shared.commands import UseCase, dispatch
from shared.db import Connection
from shared.delivery import Incoming

USE_CASES: dict[type, UseCase] = {
    RegisterCustomer: register_customer,
    JoinCooperative: join_cooperative,
    PayContribution: pay_contribution,
    InviteToHousehold: invite_to_household,
    AcceptInvitation: accept_invitation,
    AddMinor: add_minor,
    LeaveHousehold: leave_household,
    TransferMembership: transfer_membership,
    Resign: resign,
    UpdateContactData: update_contact_data,
    RegisterWithPartner: register_with_partner,
    EndPartnerRegistration: end_partner_registration,
    JoinSupporterGroup: join_supporter_group,
    LeaveSupporterGroup: leave_supporter_group,
    SetHouseholdGroup: set_household_group,
    ChangeBenefitAccount: change_benefit_account,
    RectifyPersonalData: rectify_personal_data,
}


async def handle_commands(conn: Connection, messages: list[Incoming], config: MembershipConfig) -> None:
    await dispatch(conn, messages, USE_CASES, config)
