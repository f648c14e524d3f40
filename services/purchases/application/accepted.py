"""Storing receipts and publishing the accepted ones, keyed by household id.

The accepted-purchase event is written to the outbox by the statement that stores (or later resolves)
the receipt: PostgreSQL builds it from the stored row (`adapters/receipts.py`), and the tests hold its
value and headers to the `PurchaseAccepted` contract and the envelope. Here: what the event carries
besides the row, and what is logged.
"""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.topics import PURCHASES_ACCEPTED
from services.purchases.adapters import receipts
from services.purchases.adapters.receipts import ReceiptRow
from shared import tracing
from shared.db import Connection
from shared.logging import get_logger
from shared.outbox import header_parts

SOURCE = "coopreg/purchases"
log = get_logger(component="purchases")


def accepted_event() -> tuple:
    """Topic, source, type and the further headers (the trace context, when tracing is on)."""
    return (PURCHASES_ACCEPTED.name, SOURCE, PURCHASES_ACCEPTED.event_type,
            header_parts(tracing.staged_headers()))


async def store_and_publish(conn: Connection, rows: list[ReceiptRow]) -> int:
    """Store each receipt once; publish those resolved to a household; flag conflicting duplicates.
    Returns how many were duplicates (exact or conflicting), ignored."""
    result = await receipts.store_and_publish(conn, rows, accepted_event())
    # A receipt id is the POS's, not personal data: it is what an operator needs to find the conflict.
    for receipt_id in result.conflicts:
        log.warning("conflicting duplicate receipt flagged", receipt_id=receipt_id)
    return len(rows) - result.stored


async def resolve_and_publish(conn: Connection, card_tokens: list[str] | None = None,
                              causes: dict[str, Envelope] | None = None) -> int:
    """Receipts that waited for these identifiers' card data (None: any), resolved and published."""
    correlations = {token: cause.correlation for token, cause in (causes or {}).items()}
    return await receipts.resolve_and_publish(conn, accepted_event(), card_tokens, correlations)
