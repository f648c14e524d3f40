"""Reaction: when the bonus service applies a household's Bonus to its open capital contribution, book
that payment on the main member's contribution (once per payout id)."""
from __future__ import annotations

from contracts.events.bonus import BonusPayout
from contracts.events.membership import PayContribution
from services.membership.adapters import households
from services.membership.application.contributions import pay_contribution
from services.membership.domain.errors import MembershipRuleViolation
from shared.delivery import Incoming, Rejected


async def when_bonus_is_paid_credit_the_contribution(conn, messages: list[Incoming], config) -> None:
    for message in messages:
        payout: BonusPayout = message.data
        if payout.contribution_cents <= 0:
            continue
        household = await households.lock(conn, payout.household_id)
        if household is None:
            raise Rejected("unknown_household", "a contribution payment for a household the register lacks")
        if household["main_person_id"] is None:
            raise Rejected("main_member_erased", "a contribution payment for a household whose main member was erased")
        command = PayContribution(person_id=household["main_person_id"], payment_id=f"bonus:{payout.payout_id}",
                                  amount_cents=payout.contribution_cents, source="bonus",
                                  paid_at=message.envelope.time)
        try:
            await pay_contribution(conn, command, message.envelope, config)
        except MembershipRuleViolation as violation:
            raise Rejected(violation.code, str(violation)) from None
