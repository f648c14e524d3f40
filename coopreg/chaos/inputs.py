"""The inputs a real POS fleet gets wrong: returns, conflicting duplicates and malformed messages.

Each malformed kind carries the reason the dead-letter queue must give for it.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import orjson

from contracts.envelope import Envelope
from contracts.events.pos import PosPurchase
from contracts.topics import POS_PURCHASES
from coopreg.simulate.receipts import pos_purchase
from services.bonus.domain.months import HELSINKI, next_month


def return_of(sale: PosPurchase, rng: random.Random) -> PosPurchase:
    """The first line of `sale` brought back within the same month, paid back the way it was paid."""
    first = sale.lines[0]
    spec = (first.category, -first.amount_cents) + ((-first.quantity_milli,) if first.unit == "l" else ())
    local = sale.purchased_at.astimezone(HELSINKI)
    month_end = datetime.combine(next_month(date(local.year, local.month, 1)), time(), HELSINKI) - timedelta(minutes=1)
    at = min(sale.purchased_at + timedelta(hours=rng.randint(1, 72)), month_end)
    return pos_purchase(f"{sale.receipt_id}-r", sale.identifier.value, at, [spec], payment=sale.payments[0].method,
                        chain=sale.chain, cooperative=sale.cooperative_id, outlet=sale.outlet_id,
                        return_of=sale.receipt_id)


def conflicting_version(sale: PosPurchase) -> PosPurchase:
    """The same receipt id with other content (one cent-figure changed): to be flagged, never merged."""
    data = orjson.loads(sale.model_dump_json())
    data["lines"][0]["amount_cents"] += 100
    data["total_cents"] += 100
    data["payments"][0]["amount_cents"] += 100
    return PosPurchase.model_validate(data)


def _without_lines(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "lines"}


def _in_sek(data: dict) -> dict:
    return data | {"currency": "SEK"}


def _not_adding_up(data: dict) -> dict:
    return data | {"total_cents": data["total_cents"] + 1}


MALFORMED_KINDS = ("not_json", "empty_value", "without_lines", "in_sek", "not_adding_up", "bad_time_header")
EXPECTED_REASON = {"not_json": "not_json", "empty_value": "empty_value", "without_lines": "schema_violation",
                   "in_sek": "schema_violation", "not_adding_up": "schema_violation",
                   "bad_time_header": "bad_envelope"}
_BROKEN_PAYLOAD = {"without_lines": _without_lines, "in_sek": _in_sek, "not_adding_up": _not_adding_up}


def malformed(kind: str, template: PosPurchase, receipt_id: str) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    """The value and headers of one malformed message built from a valid receipt under a fresh id."""
    headers = Envelope(source="chaos-pos", type=POS_PURCHASES.event_type).headers()
    data = orjson.loads(template.model_dump_json()) | {"receipt_id": receipt_id}
    if kind == "not_json":
        return orjson.dumps(data)[:40], headers
    if kind == "empty_value":
        return None, headers
    if kind == "bad_time_header":
        return orjson.dumps(data), [(k, b"yesterday" if k == "ce_time" else v) for k, v in headers]
    return orjson.dumps(_BROKEN_PAYLOAD[kind](data)), headers
