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

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, cast

import orjson

from contracts.events.purchases import Exclusion, PurchaseAccepted
from services.bonus.adapters import ledger, product_data
from services.bonus.adapters.ledger import LineageRow
from services.bonus.application.month_to_date import month_to_date_rows
from services.bonus.domain import TierTables
from services.bonus.domain.months import month_of
from shared import outbox
from shared.db import Connection
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


async def _bookings(conn: Connection, purchases: list[PurchaseAccepted]) -> list[Booking]:
    originals = await ledger.original_months(conn, [p.return_of for p in purchases if p.return_of])
    times = [p.purchased_at for p in purchases]
    campaigns = await ledger.double_bonus_outlets(conn, sorted({p.outlet_id for p in purchases}),
                                                  min(times), max(times))
    blocked = await product_data.blocked_households(conn, sorted({p.household_id for p in purchases}))
    return [Booking(p, _month(p, originals), _in_campaign(p, campaigns), _kept_exclusions(p, blocked))
            for p in purchases]


def _month(purchase: PurchaseAccepted, originals: dict[str, date]) -> date:
    """A return's month is its original receipt's, where the service booked that; any other's, its own."""
    if purchase.return_of is not None and purchase.return_of in originals:
        return originals[purchase.return_of]
    return month_of(purchase.purchased_at)


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


async def book_purchases(conn: Connection, messages: list[Incoming], tables: TierTables) -> None:
    # the delivery validated each against the topic's model
    bookings = await _bookings(conn, [cast(PurchaseAccepted, m.data) for m in messages])
    status = await ledger.lock_months(conn, {b.month for b in bookings})
    # Each purchase once by receipt id; PostgreSQL adds the new ones up into their household-month (open
    # months) or keeps them as adjustments (closing or closed ones), in one statement.
    totals = await ledger.book(conn, [_lineage_row(b, "accrual" if status[b.month] == "open" else "adjustment")
                                      for b in bookings])
    await outbox.add_rows(conn, month_to_date_rows(totals, tables))
