"""Use case: pay into the capital contribution (a payment, or Bonus credited to it), once per payment id."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import PayContribution
from services.membership.adapters import households, memberships
from services.membership.application import publish
from services.membership.application.ledger import load_contribution
from services.membership.domain.contribution import PaymentSource
from services.membership.domain.errors import ContributionFullyPaid
from services.membership.domain.membership import check_is_member
from services.membership.domain.numbers import helsinki_date
from shared.db import Connection


async def pay_contribution(conn: Connection, command: PayContribution, cause: Envelope, config) -> int | None:
    """Book the payment; returns the cents beyond the open contribution (recorded as its excess), or None
    for a payment booked before."""
    membership = check_is_member(await memberships.active_of(conn, command.person_id))
    if await memberships.payment_exists(conn, command.payment_id):
        return None  # the same payment again: booked once
    contribution_id = membership["contribution_id"]
    contribution = await load_contribution(conn, contribution_id)
    if contribution.open_cents <= 0:
        raise ContributionFullyPaid()
    paid_on = helsinki_date(command.paid_at)
    excess = contribution.apply_payment(command.amount_cents, paid_on, PaymentSource(command.source))
    await memberships.add_payment(conn, command.payment_id, contribution_id, command.amount_cents - excess,
                                  command.source, command.paid_at, paid_on, excess)
    await memberships.set_fully_paid(conn, contribution_id, contribution.fully_paid_on)
    household = await households.of_membership(conn, membership["membership_id"])
    if household is not None:
        await publish.household(conn, household["household_id"], cause)
    return excess
