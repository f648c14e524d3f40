"""Reaction: Bonus withheld for a capital contribution that the membership service could not apply
(membership.bonus-returns.v1) is paid to the household in cash.

Each return becomes one payout on bonus.payouts.v1 with the id `<payout id>:returned` — the payout the Bonus
was withheld from, so S-Bank books it once however often the return arrives — carrying the payment-method
benefit's and Bonus's parts as separate transactions at the month's rate, due on the month's payout day or,
when that has passed, on the day the return arrived. It is staged through the outbox with the return's
record in one transaction; its `contribution_cents` is 0, so the membership service has nothing to book.
"""
from __future__ import annotations

from datetime import datetime
from typing import cast

from contracts.events.bonus import BonusPayout, PayoutTransaction
from contracts.events.membership_states import BonusCreditReturned
from contracts.topics import BONUS_PAYOUTS
from services.bonus.adapters import returns
from services.bonus.application.close_month import SOURCE
from services.bonus.domain.months import HELSINKI, parse_month, payout_due
from services.bonus.domain.payout import returned_in_cash
from shared import outbox
from shared.db import Connection
from shared.delivery import Incoming
from shared.logging import get_logger

log = get_logger(use_case="pay_returned_credit")


async def when_membership_returns_bonus_pay_it_out(conn: Connection, messages: list[Incoming]) -> None:
    for message in messages:
        returned = cast(BonusCreditReturned, message.data)  # the delivery validated it against the topic's model
        month = parse_month(returned.month)
        payout_id = f"{returned.payout_id}:returned"
        if not await returns.record(conn, returned.return_id, returned.payout_id, returned.household_id, month,
                                    returned.returned_cents, returned.reason, payout_id):
            continue  # paid before
        withheld = await returns.withheld(conn, returned.household_id, month)
        transactions = returned_in_cash(withheld.bonus_cents if withheld else 0,
                                        withheld.payment_method_benefit_cents if withheld else 0,
                                        returned.returned_cents)
        arrived: datetime = message.envelope.time
        due_on = max(payout_due(month), arrived.astimezone(HELSINKI).date())
        data = BonusPayout(payout_id=payout_id, household_id=returned.household_id, month=returned.month,
                           rate_bp=withheld.rate_bp if withheld else 0, due_on=due_on,
                           transactions=[PayoutTransaction(kind=t.kind.value, amount_cents=t.cents)
                                         for t in transactions])
        envelope = message.envelope.follow(id=f"payout:{payout_id}", source=SOURCE, type=BONUS_PAYOUTS.event_type,
                                           subject=returned.household_id)
        await outbox.add(conn, [outbox.OutgoingEvent(BONUS_PAYOUTS.name, returned.household_id, envelope, data)])
        log.info("withheld bonus paid back", reason=returned.reason, returned_cents=returned.returned_cents)
