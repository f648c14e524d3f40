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
from datetime import date

import orjson

from contracts.events.purchases import Exclusion, PurchaseAccepted
from services.bonus.adapters import ledger, product_data
from services.bonus.application.month_to_date import month_to_date_event
from services.bonus.domain import TierTables
from services.bonus.domain.months import month_of
from shared import outbox
from shared.delivery import Incoming


@dataclass(frozen=True)
class Booking:
    purchase: PurchaseAccepted
    month: date
    double: bool
    excluded: tuple[Exclusion, ...]  # the purchase's exclusions the service keeps

    def amounts(self) -> tuple[int, int, int, int, int]:
        p = self.purchase
        bonus, double = (0, p.bonus_eligible_cents) if self.double else (p.bonus_eligible_cents, 0)
        return bonus, double, p.fuel_cents, p.fuel_millilitres, p.payment_method_eligible_cents


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


def _lineage_row(b: Booking, booked_as: str) -> tuple:
    p = b.purchase
    return (p.receipt_id, p.household_id, p.person_id, p.cooperative_id, p.outlet_id, p.purchased_at,
            b.month, *b.amounts(), _excluded_json(b.excluded), p.return_of, booked_as, p.outlet_cooperative_id)


# An exclusion's fields, from its contract: a purchase read strictly first is the contract's struct,
# which has the same attributes but no model_dump.
_EXCLUSION_FIELDS = tuple(Exclusion.model_fields)


def _excluded_json(excluded: tuple[Exclusion, ...]) -> str:
    """The exclusions as the lineage keeps them, field by field as the contract names them."""
    return orjson.dumps([{name: getattr(e, name) for name in _EXCLUSION_FIELDS} for e in excluded]).decode()


def _accrual_rows(bookings: list[Booking]) -> list[tuple]:
    totals: dict[tuple[str, date], list] = defaultdict(lambda: [None, 0, 0, 0, 0, 0, 0, None])
    for b in sorted(bookings, key=lambda b: b.purchase.purchased_at):
        row = totals[(b.purchase.household_id, b.month)]
        row[0] = b.purchase.cooperative_id
        for i, amount in enumerate(b.amounts(), start=1):
            row[i] += amount
        row[6] += 1
        row[7] = b.purchase.purchased_at
    return [(household, month, *row) for (household, month), row in totals.items()]


def _statement_part_rows(bookings: list[Booking]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Each member's receipts and Bonus purchases, the Bonus purchases by the outlet's cooperative ('' when
    the event does not name it) and the excluded purchases by reason, per household-month."""
    members: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    cooperatives: dict[tuple, int] = defaultdict(int)
    exclusions: dict[tuple, int] = defaultdict(int)
    for b in bookings:
        p = b.purchase
        member = members[(b.month, p.household_id, p.person_id)]
        member[0] += 1
        member[1] += p.bonus_eligible_cents
        cooperatives[(b.month, p.household_id, p.outlet_cooperative_id or "")] += p.bonus_eligible_cents
        for exclusion in b.excluded:
            exclusions[(b.month, p.household_id, exclusion.reason)] += exclusion.cents
    return ([(*key, *value) for key, value in members.items()],
            [(*key, cents) for key, cents in cooperatives.items()],
            [(*key, cents) for key, cents in exclusions.items()])


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
        (b.purchase.receipt_id, b.purchase.household_id, b.month, b.purchase.cooperative_id, *b.amounts())
        for b in fresh if b.month not in open_])
