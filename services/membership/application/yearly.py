"""Use case: the yearly benefits decided on a financial year — interest on the contribution and return of
surplus — computed once per member, year and kind and paid as events (a re-run pays nothing twice).

Interest goes to members whose contribution was paid in full by the end of the financial year, on what
was paid by then; the return of surplus to memberships active at its end, as a share of the household's
Bonus purchases at the member's own cooperative that year. Those purchase totals come from the bonus
side (finance passes them in, per household id); the rates from `cooperatives.json`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.membership_states import MemberBenefitPayout
from services.membership.adapters import yearly
from services.membership.application import publish
from services.membership.application.config import SOURCE, MembershipConfig
from services.membership.application.ledger import load_contribution
from services.membership.domain.cooperatives import YearlyDecision
from services.membership.domain.numbers import day_start
from services.membership.domain.yearly import interest_for_year, surplus_return


@dataclass
class YearlyRun:
    payouts: int = 0
    cents: int = 0


async def _pay(conn, run: YearlyRun, member, cooperative_id: str, year: int, kind: str, cents: int,
               paid_on: date, cause: Envelope) -> None:
    if cents <= 0 or not await yearly.record_benefit(conn, member["person_id"], year, kind, member["membership_id"],
                                                     member["household_id"], cooperative_id, cents, paid_on):
        return
    run.payouts, run.cents = run.payouts + 1, run.cents + cents
    await publish.benefit_payout(conn, MemberBenefitPayout(
        payout_id=f"{kind}:{year}:{member['person_id']}", kind=kind, person_id=member["person_id"],
        membership_id=member["membership_id"], household_id=member["household_id"], cooperative_id=cooperative_id,
        financial_year=year, amount_cents=cents, due_on=paid_on), cause)


async def _pay_cooperative(conn, run: YearlyRun, cooperative_id: str, decision: YearlyDecision, paid_on: date,
                           surplus_purchases: dict[str, int], cause: Envelope) -> None:
    year = decision.financial_year
    for member in await yearly.members_at(conn, cooperative_id, day_start(date(year + 1, 1, 1))):
        if decision.interest_rate_bp:
            contribution = await load_contribution(conn, member["contribution_id"])
            cents = interest_for_year(contribution, year + 1, decision.interest_rate_bp)
            await _pay(conn, run, member, cooperative_id, year, "interest", cents, paid_on, cause)
        if decision.surplus_rate_bp:
            purchases = surplus_purchases.get(member["household_id"] or "", 0)
            cents = surplus_return(purchases, decision.surplus_rate_bp, active_at_year_end=True)
            await _pay(conn, run, member, cooperative_id, year, "surplus_return", cents, paid_on, cause)


async def pay_yearly_benefits(conn, config: MembershipConfig, financial_year: int, paid_on: date,
                              surplus_purchases: dict[str, int] | None = None) -> YearlyRun:
    """Pay every cooperative's decision on `financial_year` (those without one pay nothing)."""
    run = YearlyRun()
    cause = Envelope(id=str(uuid.uuid5(NAMESPACE, f"yearly:{financial_year}")), source=SOURCE,
                     type="coopreg.PayYearlyBenefits", subject=str(financial_year))
    for cooperative in config.cooperatives.values():
        decision = cooperative.decision_for(financial_year)
        if decision is not None:
            await _pay_cooperative(conn, run, cooperative.id, decision, decision.paid_on or paid_on,
                                   surplus_purchases or {}, cause)
    return run
