"""The capital contribution as the domain sees it, loaded from its payment transactions."""
from __future__ import annotations

from services.membership.adapters import memberships
from services.membership.domain.contribution import (
    Contribution,
    ContributionPayment,
    ContributionPolicy,
    PaymentSource,
)
from shared.db import Connection


def _contribution(row, payment_rows) -> Contribution:
    policy = ContributionPolicy(full_cents=row["full_cents"],
                                minimum_first_payment_cents=row["minimum_first_payment_cents"],
                                deadline_months=row["deadline_months"])
    payments = [ContributionPayment(r["amount_cents"], r["paid_on"], PaymentSource(r["source"])) for r in payment_rows]
    return Contribution(policy, row["started_on"], payments)


async def load_contribution(conn: Connection, contribution_id: str) -> Contribution:
    return _contribution(await memberships.contribution(conn, contribution_id),
                         await memberships.payments(conn, contribution_id))


async def load_contributions(conn: Connection, contribution_ids: list[str]) -> dict[str, Contribution]:
    """Many contributions by id, in two queries."""
    rows, payment_rows = await memberships.contributions_with_payments(conn, contribution_ids)
    payments: dict[str, list] = {}
    for payment in payment_rows:
        payments.setdefault(payment["contribution_id"], []).append(payment)
    return {r["contribution_id"]: _contribution(r, payments.get(r["contribution_id"], [])) for r in rows}
