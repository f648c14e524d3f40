"""Use case: book accepted purchases into their household's month, once per receipt.

A purchase belongs to the Helsinki month of its purchase time; a return to the month of the original
receipt when the service knows it. A month that is closing or closed is never rewritten: the purchase
becomes an adjustment that the next close prices at the month's recorded rate. Every household-month
that changed is published as month to date.

A household under the no-collection block (`keep_product_data_blocks`) has no exclusion naming a line or
its category kept — in the lineage or in the month's exclusions by reason — even from an event published
before its block; one lookup per batch tells which households are under it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import orjson

from contracts.events.purchases import Exclusion, PurchaseAccepted
from services.bonus.adapters import ledger, product_data
from services.bonus.adapters.ledger import (
    AccrualRow,
    AdjustmentRow,
    CooperativePart,
    ExclusionPart,
    LineageRow,
    MemberPart,
)
from services.bonus.application.month_to_date import month_to_date_event
from services.bonus.domain import TierTables
from services.bonus.domain.months import month_of
from shared import outbox
from shared.delivery import Incoming


class Amounts(NamedTuple):
    """What a purchase adds to its household's month."""

    bonus_cents: int
    double_cents: int  # Bonus purchases at an outlet's double-Bonus campaign
    fuel_cents: int
    fuel_millilitres: int
    payment_method_cents: int


@dataclass(frozen=True)
class Booking:
    purchase: PurchaseAccepted
    month: date
    double: bool
    excluded: tuple[Exclusion, ...]  # the purchase's exclusions the service keeps

    def amounts(self) -> Amounts:
        p = self.purchase
        bonus, double = (0, p.bonus_eligible_cents) if self.double else (p.bonus_eligible_cents, 0)
        return Amounts(bonus, double, p.fuel_cents, p.fuel_millilitres, p.payment_method_eligible_cents)


def _in_campaign(purchase: PurchaseAccepted, campaigns) -> bool:
    return any(outlet == purchase.outlet_id and start <= purchase.purchased_at < end
               for outlet, start, end in campaigns)


def _kept_exclusions(purchase: PurchaseAccepted, blocked: set[str]) -> tuple[Exclusion, ...]:
    """Under the household's no-collection block only the exclusions of the receipt as a whole."""
    if purchase.household_id in blocked:
        return tuple(e for e in purchase.excluded if e.line_no is None)
    return tuple(purchase.excluded)


async def _bookings(conn, purchases: list[PurchaseAccepted]) -> list[Booking]:
    originals = await ledger.original_months(conn, [p.return_of for p in purchases if p.return_of])
    times = [p.purchased_at for p in purchases]
    campaigns = await ledger.double_bonus_outlets(conn, sorted({p.outlet_id for p in purchases}),
                                                  min(times), max(times))
    blocked = await product_data.blocked_households(conn, sorted({p.household_id for p in purchases}))
    return [Booking(p, originals.get(p.return_of) or month_of(p.purchased_at), _in_campaign(p, campaigns),
                    _kept_exclusions(p, blocked))
            for p in purchases]


def _lineage_row(b: Booking, booked_as: str) -> LineageRow:
    p, a = b.purchase, b.amounts()
    return LineageRow(
        receipt_id=p.receipt_id, household_id=p.household_id, person_id=p.person_id,
        cooperative_id=p.cooperative_id, outlet_id=p.outlet_id, purchased_at=p.purchased_at, month=b.month,
        bonus_cents=a.bonus_cents, double_cents=a.double_cents, fuel_cents=a.fuel_cents,
        fuel_millilitres=a.fuel_millilitres, payment_method_cents=a.payment_method_cents,
        excluded=_excluded_json(b.excluded), return_of=p.return_of, booked_as=booked_as,
        outlet_cooperative_id=p.outlet_cooperative_id)


# An exclusion's fields, from its contract: a purchase read strictly first is the contract's struct,
# which has the same attributes but no model_dump.
_EXCLUSION_FIELDS = tuple(Exclusion.model_fields)


def _excluded_json(excluded: tuple[Exclusion, ...]) -> str:
    """The exclusions as the lineage keeps them, field by field as the contract names them."""
    return orjson.dumps([{name: getattr(e, name) for name in _EXCLUSION_FIELDS} for e in excluded]).decode()


@dataclass(slots=True)
class _Accrual:
    """A household-month's sums over a batch, as they are added up."""

    cooperative_id: str = ""
    bonus_cents: int = 0
    double_cents: int = 0
    fuel_cents: int = 0
    fuel_millilitres: int = 0
    payment_method_cents: int = 0
    receipts: int = 0
    last_purchase_at: datetime | None = None

    def add(self, b: Booking) -> None:
        a = b.amounts()
        self.cooperative_id = b.purchase.cooperative_id  # in time order: the latest purchase's wins
        self.bonus_cents += a.bonus_cents
        self.double_cents += a.double_cents
        self.fuel_cents += a.fuel_cents
        self.fuel_millilitres += a.fuel_millilitres
        self.payment_method_cents += a.payment_method_cents
        self.receipts += 1
        self.last_purchase_at = b.purchase.purchased_at

    def row(self, household: str, month: date) -> AccrualRow:
        return AccrualRow(household, month, self.cooperative_id, self.bonus_cents, self.double_cents,
                          self.fuel_cents, self.fuel_millilitres, self.payment_method_cents, self.receipts,
                          self.last_purchase_at)


def _accrual_rows(bookings: list[Booking]) -> list[AccrualRow]:
    totals: dict[tuple[str, date], _Accrual] = defaultdict(_Accrual)
    for b in sorted(bookings, key=lambda b: b.purchase.purchased_at):
        totals[(b.purchase.household_id, b.month)].add(b)
    return [t.row(household, month) for (household, month), t in totals.items()]


def _statement_part_rows(bookings: list[Booking]) -> tuple[list[MemberPart], list[CooperativePart],
                                                          list[ExclusionPart]]:
    """Each member's receipts and Bonus purchases, the Bonus purchases by the outlet's cooperative ('' when
    the event does not name it) and the excluded purchases by reason, per household-month."""
    receipts: dict[tuple[date, str, str], int] = defaultdict(int)
    members: dict[tuple[date, str, str], int] = defaultdict(int)
    cooperatives: dict[tuple[date, str, str], int] = defaultdict(int)
    exclusions: dict[tuple[date, str, str], int] = defaultdict(int)
    for b in bookings:
        p = b.purchase
        receipts[(b.month, p.household_id, p.person_id)] += 1
        members[(b.month, p.household_id, p.person_id)] += p.bonus_eligible_cents
        cooperatives[(b.month, p.household_id, p.outlet_cooperative_id or "")] += p.bonus_eligible_cents
        for exclusion in b.excluded:
            exclusions[(b.month, p.household_id, exclusion.reason)] += exclusion.cents
    return ([MemberPart(*key, receipts[key], cents) for key, cents in members.items()],
            [CooperativePart(*key, cents) for key, cents in cooperatives.items()],
            [ExclusionPart(*key, cents) for key, cents in exclusions.items()])


async def book_purchases(conn, messages: list[Incoming], tables: TierTables) -> None:
    bookings = await _bookings(conn, [m.data for m in messages])
    status = await ledger.lock_months(conn, {b.month for b in bookings})
    open_ = {m for m, s in status.items() if s == "open"}
    new = await ledger.insert_lineage(conn, [_lineage_row(b, "accrual" if b.month in open_ else "adjustment")
                                             for b in bookings])
    fresh = list({b.purchase.receipt_id: b for b in bookings if b.purchase.receipt_id in new}.values())
    accruing = [b for b in fresh if b.month in open_]
    totals = await ledger.add_to_accruals(conn, _accrual_rows(accruing))
    await ledger.add_to_statement_parts(conn, *_statement_part_rows(accruing))
    await outbox.add(conn, [month_to_date_event(row, tables) for row in totals])
    await ledger.add_adjustments(conn, [
        AdjustmentRow(b.purchase.receipt_id, b.purchase.household_id, b.month, b.purchase.cooperative_id,
                      *b.amounts())
        for b in fresh if b.month not in open_])
