"""Reaction: when the bonus service applies a household's Bonus to its open capital contribution, book
that payment on the main member's contribution (once per payout id).

What cannot be applied is never kept nor dropped: the contribution was paid meanwhile in another way (all
of it, or all but part), the membership ended or the contribution is overdue, the household is unknown.
That part is published on membership.bonus-returns.v1 (BonusCreditReturned) in the same transaction, and
the bonus service pays it to the household in cash with a payout id of its own: households are paid in one
place, bonus.payouts.v1. The partly paid case keeps its `excess_cents` on the payment, as before.
"""
from __future__ import annotations

from typing import cast

from contracts.events.bonus import BonusPayout
from contracts.events.membership import PayContribution
from contracts.events.membership_states import BonusCreditReturned
from services.membership.adapters import households
from services.membership.application import publish
from services.membership.application.contributions import pay_contribution
from services.membership.domain.errors import MembershipRuleViolation
from shared.db import Connection
from shared.delivery import Incoming
from shared.logging import get_logger

log = get_logger(use_case="bonus_to_contribution")


async def when_bonus_is_paid_credit_the_contribution(conn: Connection, messages: list[Incoming], config) -> None:
    for message in messages:
        payout = cast(BonusPayout, message.data)  # the delivery validated it against the topic's model
        if payout.contribution_cents <= 0:
            continue
        household = await households.lock(conn, payout.household_id)
        if household is None:
            await _return(conn, payout, 0, "unknown_household", message)
            continue
        if household["main_person_id"] is None:  # dissolved, its main member erased: the money goes back
            await _return(conn, payout, 0, "main_member_erased", message)
            continue
        command = PayContribution(person_id=household["main_person_id"], payment_id=f"bonus:{payout.payout_id}",
                                  amount_cents=payout.contribution_cents, source="bonus",
                                  paid_at=message.envelope.time)
        try:
            excess = await pay_contribution(conn, command, message.envelope, config)
        except MembershipRuleViolation as violation:
            await _return(conn, payout, 0, violation.code, message)
            continue
        if excess:  # None: booked before, and so was its return
            await _return(conn, payout, payout.contribution_cents - excess, "contribution_fully_paid", message)


async def _return(conn: Connection, payout: BonusPayout, applied: int, reason: str, message: Incoming) -> None:
    returned = BonusCreditReturned(return_id=f"return:{payout.payout_id}", payout_id=payout.payout_id,
                                   household_id=payout.household_id, month=payout.month,
                                   contribution_cents=payout.contribution_cents, applied_cents=applied,
                                   returned_cents=payout.contribution_cents - applied, reason=reason)
    log.info("bonus credit returned", reason=reason, returned_cents=returned.returned_cents)
    await publish.bonus_returned(conn, returned, message.envelope)
