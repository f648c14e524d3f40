"""Building blocks of simulated traffic: Luhn-valid card numbers and POS receipts as POS systems send them."""
from __future__ import annotations

from datetime import datetime

from contracts.events.pos import Category, Identifier, Payment, PaymentMethod, PosPurchase, ReceiptLine
from services.cards.domain.card_number import luhn_check_digit

CARD_PREFIX = "9246"  # a made-up issuer prefix: simulated numbers never collide with real cards


def card_number(n: int, prefix: str = CARD_PREFIX) -> str:
    body = f"{prefix}{n:011d}"
    return body + luhn_check_digit(body)


def line(no: int, category: Category, cents: int, group: str | None = None,
         litres_milli: int | None = None) -> ReceiptLine:
    quantity = litres_milli if litres_milli is not None else (1000 if cents >= 0 else -1000)
    return ReceiptLine(line_no=no, product_id=f"p-{category}-{no}", product_group=group or category,
                       category=category, quantity_milli=quantity, unit="l" if litres_milli is not None else "pcs",
                       amount_cents=cents)


def pos_purchase(receipt_id: str, card: str, at: datetime, lines: list[tuple], *, payment: PaymentMethod = "cash",
                 chain: str = "prisma", cooperative: str = "hok-elanto", outlet: str = "P001",
                 return_of: str | None = None, currency: str = "EUR") -> PosPurchase:
    """`lines` are (category, cents) or (category, cents, litres_milli) tuples."""
    built = [line(i, spec[0], spec[1], litres_milli=spec[2] if len(spec) > 2 else None)
             for i, spec in enumerate(lines, start=1)]
    total = sum(item.amount_cents for item in built)
    return PosPurchase.model_validate(dict(
        receipt_id=receipt_id, outlet_id=outlet, chain=chain, cooperative_id=cooperative, purchased_at=at,
        currency=currency, identifier=Identifier(kind="card", value=card, entry="chip"), total_cents=total,
        lines=built, payments=[Payment(method=payment, amount_cents=total)], return_of=return_of))
