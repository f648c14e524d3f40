"""Use cases: resign, transfer to another cooperative, and the end of a membership whatever its cause.

When the main member's membership ends (but for a transfer), the paid part of the contribution is
refunded and the household dissolves: every member leaves it, pending invitations lapse, its customer group
ends, and the cards service ends the payment features when it reads the dissolved household.
"""
from __future__ import annotations

from datetime import datetime

from contracts.envelope import Envelope
from contracts.events.membership import Resign, TransferMembership
from contracts.events.membership_states import MemberBenefitPayout
from services.membership.adapters import households, memberships, registrations
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.application.ledger import load_contribution
from services.membership.domain.contribution import PaymentSource, refund_due_on_termination
from services.membership.domain.cooperatives import find_cooperative
from services.membership.domain.errors import DuplicateId
from services.membership.domain.membership import MembershipStatus, check_can_transfer, check_is_member
from services.membership.domain.numbers import helsinki_date, member_number, month_start
from shared.db import Connection


async def end_membership(conn: Connection, membership, status: MembershipStatus, at: datetime, cause: Envelope) -> None:
    """End the membership; refund what is due; dissolve its household; publish what changed."""
    await memberships.end(conn, membership["membership_id"], status.value, at)
    household = await households.of_membership(conn, membership["membership_id"])
    household_id = household["household_id"] if household else None
    if status.refunds_contribution:
        await _refund(conn, membership, household_id, at, cause)
    affected = [membership["person_id"]]
    if household is not None and household["status"] == "active":
        affected += await households.dissolve(conn, household["household_id"], at)
        await registrations.end_household_group(conn, household["household_id"], at)
        await publish.household(conn, household["household_id"], cause)
    await publish.persons(conn, affected, cause)


async def _refund(conn: Connection, membership, household_id: str | None, at: datetime, cause: Envelope) -> None:
    contribution = await load_contribution(conn, membership["contribution_id"])
    refunded_on = helsinki_date(at)
    cents = refund_due_on_termination(contribution, refunded_on)
    if cents <= 0:
        return
    payout_id = f"refund:{membership['membership_id']}"
    await memberships.add_payment(conn, payout_id, membership["contribution_id"], cents,
                                  PaymentSource.REFUND.value, at, refunded_on)
    await publish.benefit_payout(conn, MemberBenefitPayout(
        payout_id=payout_id, kind="contribution_refund", person_id=membership["person_id"],
        membership_id=membership["membership_id"], household_id=household_id,
        cooperative_id=membership["cooperative_id"], amount_cents=cents, due_on=refunded_on), cause)


async def active_membership(conn: Connection, person_id: str):
    await locked_person(conn, person_id)
    return check_is_member(await memberships.active_of(conn, person_id))


async def resign(conn: Connection, command: Resign, cause: Envelope, config: MembershipConfig) -> None:
    membership = await active_membership(conn, command.person_id)
    await end_membership(conn, membership, MembershipStatus.RESIGNED, command.resigned_at, cause)


async def transfer_membership(conn: Connection, command: TransferMembership, cause: Envelope,
                              config: MembershipConfig) -> None:
    """The contribution moves with the membership; the household counts in the new cooperative from the
    start of the transfer month (the whole month's Bonus purchases count there)."""
    membership = await active_membership(conn, command.person_id)
    find_cooperative(config.cooperatives, command.to_cooperative_id)
    check_can_transfer(membership["cooperative_id"], command.to_cooperative_id)
    at = command.transferred_at
    await memberships.end(conn, membership["membership_id"], MembershipStatus.TRANSFERRED.value, at)
    if not await memberships.insert_membership(
            conn, membership_id=command.new_membership_id, person_id=command.person_id,
            cooperative_id=command.to_cooperative_id,
            member_number=member_number(await memberships.next_member_serial(conn)), started_at=at,
            joining_outlet=None, contribution_id=membership["contribution_id"],
            transferred_from=membership["membership_id"]):
        raise DuplicateId("new_membership_id")
    await memberships.carry_agreement(conn, command.new_membership_id, membership["membership_id"])
    household = await households.of_membership(conn, membership["membership_id"])
    affected = [command.person_id]
    if household is not None:
        await households.move_to_membership(conn, household["household_id"], command.new_membership_id,
                                            month_start(at))
        await publish.household(conn, household["household_id"], cause)
        affected += [m["person_id"] for m in await households.members(conn, household["household_id"])
                     if m["valid_to"] is None]
    await publish.persons(conn, affected, cause)
