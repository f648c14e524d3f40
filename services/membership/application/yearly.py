"""Use case: the yearly benefits decided on a financial year — interest on the contribution and return of
surplus — computed once per member, year and kind and paid as events (a re-run pays nothing twice).

Interest goes to members whose contribution was paid in full by the end of the financial year, on what
was paid by then; the return of surplus to memberships active at its end, as a share of the household's
Bonus purchases at the cooperative's own outlets that year: the sum of `own_cooperative_eligible_cents` of
the household's published Bonus statements (`bonus.statements.v1`) of the year's months in which the
household belonged to that cooperative [A: months in another cooperative before a transfer counted that
cooperative's outlets, so they are left out]. The rates come from `cooperatives.json`.

National scale: each cooperative's members are walked in chunks of person ids (keyset), each chunk in a
transaction of its own that also moves the run's cursor (`yearly_run_progress`). A run that stopped half-way
(a crash, a lost database) resumes after the last committed chunk when started again; a benefit is
recorded once per member, year and kind with its payout event in the same transaction, so nobody is paid
twice even by concurrent or repeated runs. A completed run is not walked again unless asked (`again`, e.g.
after late corrections), and then it still pays only what was not paid.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.membership_states import MemberBenefitPayout
from services.membership.adapters import yearly
from services.membership.application import publish
from services.membership.application.config import SOURCE, MembershipConfig
from services.membership.application.ledger import load_contributions
from services.membership.domain.cooperatives import YearlyDecision
from services.membership.domain.numbers import day_start
from services.membership.domain.yearly import interest_for_year, surplus_return
from shared.db import Connection

CHUNK_SIZE = 1000


@dataclass
class YearlyRun:
    payouts: int = 0
    cents: int = 0
    members: int = 0
    chunks: int = 0
    resumed: list[str] = field(default_factory=list)  # cooperatives whose interrupted run was continued
    already_done: list[str] = field(default_factory=list)  # cooperatives whose run had completed


@dataclass(frozen=True)
class CooperativeYear:
    cooperative_id: str
    decision: YearlyDecision
    paid_on: date
    cause: Envelope

    @property
    def year(self) -> int:
        return self.decision.financial_year


async def _pay(conn: Connection, run: YearlyRun, member, coop: CooperativeYear,
               kind: Literal["interest", "surplus_return"], cents: int) -> None:
    if cents <= 0 or not await yearly.record_benefit(conn, member["person_id"], coop.year, kind,
                                                     member["membership_id"], member["household_id"],
                                                     coop.cooperative_id, cents, coop.paid_on):
        return
    run.payouts, run.cents = run.payouts + 1, run.cents + cents
    await publish.benefit_payout(conn, MemberBenefitPayout(
        payout_id=f"{kind}:{coop.year}:{member['person_id']}", kind=kind, person_id=member["person_id"],
        membership_id=member["membership_id"], household_id=member["household_id"],
        cooperative_id=coop.cooperative_id, financial_year=coop.year, amount_cents=cents, due_on=coop.paid_on),
        coop.cause)


async def _pay_chunk(conn: Connection, run: YearlyRun, coop: CooperativeYear, members: list) -> None:
    decision = coop.decision
    contributions = await load_contributions(conn, [m["contribution_id"] for m in members]) \
        if decision.interest_rate_bp else {}
    for member in members:
        if decision.interest_rate_bp:
            cents = interest_for_year(contributions[member["contribution_id"]], coop.year + 1,
                                      decision.interest_rate_bp)
            await _pay(conn, run, member, coop, "interest", cents)
        if decision.surplus_rate_bp:
            cents = surplus_return(member["own_cooperative_purchases_cents"], decision.surplus_rate_bp,
                                   active_at_year_end=True)
            await _pay(conn, run, member, coop, "surplus_return", cents)


async def _next_chunk(conn: Connection, run: YearlyRun, coop: CooperativeYear, chunk_size: int, starting: bool,
                      again: bool) -> bool:
    """Pay the next chunk of the cooperative's members in the caller's transaction; False when done."""
    progress = await yearly.progress(conn, coop.year, coop.cooperative_id)
    if starting and progress["completed_at"] is not None:
        if not again:
            run.already_done.append(coop.cooperative_id)
            return False
        progress = await yearly.restart(conn, coop.year, coop.cooperative_id)
    elif starting and progress["chunks"]:
        run.resumed.append(coop.cooperative_id)
    members = await yearly.members_at(conn, coop.cooperative_id, day_start(date(coop.year + 1, 1, 1)),
                                      date(coop.year, 1, 1), date(coop.year + 1, 1, 1),
                                      progress["after_person_id"], chunk_size)
    if not members:
        await yearly.complete(conn, coop.year, coop.cooperative_id)
        return False
    await _pay_chunk(conn, run, coop, members)
    await yearly.advance(conn, coop.year, coop.cooperative_id, members[-1]["person_id"])
    run.members, run.chunks = run.members + len(members), run.chunks + 1
    return True


async def pay_yearly_benefits(pool, config: MembershipConfig, financial_year: int, paid_on: date, *,
                              chunk_size: int = CHUNK_SIZE, again: bool = False) -> YearlyRun:
    """Pay every cooperative's decision on `financial_year` (those without one pay nothing), chunk by chunk."""
    run = YearlyRun()
    cause = Envelope(id=str(uuid.uuid5(NAMESPACE, f"yearly:{financial_year}")), source=SOURCE,
                     type="coopreg.PayYearlyBenefits", subject=str(financial_year))
    for cooperative in sorted(config.cooperatives.values(), key=lambda c: c.id):
        decision = cooperative.decision_for(financial_year)
        if decision is None:
            continue
        coop = CooperativeYear(cooperative.id, decision, decision.paid_on or paid_on, cause)
        starting = True
        while True:
            async with pool.acquire() as conn, conn.transaction():
                more = await _next_chunk(conn, run, coop, chunk_size, starting, again)
            starting = False
            if not more:
                break
    return run
