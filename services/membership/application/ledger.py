"""The capital contribution as the domain sees it, loaded from its payment transactions."""
from __future__ import annotations

from services.membership.adapters import memberships
from services.membership.domain.contribution import (
    Contribution, ContributionPayment, ContributionPolicy, PaymentSource,
)


async def load_contribution(conn, contribution_id: str) -> Contribution:
    row = await memberships.contribution(conn, contribution_id)
    policy = ContributionPolicy(full_cents=row["full_cents"],
                                minimum_first_payment_cents=row["minimum_first_payment_cents"],
                                deadline_months=row["deadline_months"])
    payments = [ContributionPayment(r["amount_cents"], r["paid_on"], PaymentSource(r["source"]))
                for r in await memberships.payments(conn, contribution_id)]
    return Contribution(policy, row["started_on"], payments)
