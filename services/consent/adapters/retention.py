"""Erasure of consent receipts past their retention."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection, changed

LIFTED_BEFORE = """
DELETE FROM consent_receipts WHERE receipt_id IN (
    SELECT h.receipt_id FROM consent_history h
    WHERE h.item LIKE 'block:%' AND h.value AND h.ended_at < $1
      AND NOT EXISTS (SELECT 1 FROM consent_items i WHERE i.receipt_id = h.receipt_id))"""


async def blocks_lifted_before(conn: Connection, cutoff: datetime) -> int:
    """Erase the receipts of blocks lifted before `cutoff` (never the statement in force); the count."""
    return await changed(conn, LIFTED_BEFORE, cutoff)
