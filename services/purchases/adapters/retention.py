"""Erasure in the purchases schema: receipts past their retention, and one person's receipts."""
from __future__ import annotations

from datetime import datetime

from services.purchases.adapters import erased_cards
from shared.db import Connection, changed, one_row

CHUNK = 5000


# Month partitions wholly before the cut-off (a partition is named receipts_YYYY_MM, its month).
WHOLE_MONTHS_BEFORE = """
SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'receipts'::regclass AND c.relname ~ '^receipts_[0-9]{4}_[0-9]{2}$'
  AND (to_date(substr(c.relname, 10), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'Europe/Helsinki'
      <= $1
ORDER BY c.relname
"""


# One chunk of ids bought before the cut-off, with their receipts (already gone when their month was
# dropped whole): how many ids, how many receipts.
CHUNK_BEFORE = """
WITH ids AS (
    DELETE FROM receipt_ids WHERE receipt_id IN (
        SELECT receipt_id FROM receipt_ids WHERE purchased_at < $1 LIMIT $2)
    RETURNING receipt_id, purchased_at
), receipts_gone AS (
    DELETE FROM receipts r USING ids WHERE r.receipt_id = ids.receipt_id AND r.purchased_at = ids.purchased_at
    RETURNING 1
)
SELECT (SELECT count(*) FROM ids) AS ids, (SELECT count(*) FROM receipts_gone) AS receipts
"""


async def receipts_before(conn: Connection, cutoff: datetime) -> int:
    """Receipts bought before the cut-off with their ids: whole months dropped with their partition, the
    rest of the month the cut-off falls in deleted in chunks (so a large backlog never holds one huge
    statement)."""
    total = 0
    for partition in await conn.fetch(WHOLE_MONTHS_BEFORE, cutoff):
        total += await conn.fetchval(f'SELECT count(*) FROM "{partition["name"]}"')
        await conn.execute(f'DROP TABLE "{partition["name"]}"')
    while True:
        chunk = await one_row(conn, CHUNK_BEFORE, cutoff, CHUNK)
        total += chunk["receipts"]
        if chunk["ids"] < CHUNK:
            return total


async def conflicts_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM receipt_conflicts WHERE seen_at < $1", cutoff)


async def of_person(conn: Connection, person_id: str) -> int:
    # In the order the consumers take these rows, the consents' (product-data rules, then the receipts whose
    # line detail a new block removes) and the cards' (allocations, then the receipts they resolve): an
    # erasure that took the receipts first deadlocked with a batch of either holding the rest.
    consents = await changed(conn, "DELETE FROM product_data_consents WHERE person_id = $1", person_id)
    cards = [r["card_token"] for r in await conn.fetch(
        "DELETE FROM card_allocations WHERE person_id = $1 RETURNING card_token", person_id)]
    # a receipt of theirs still to come is dropped; one already waiting for these cards' data goes now
    waiting = await erased_cards.mark(conn, sorted(set(cards)))
    # The ids stay claimed, without their content hash (migration 014): a late copy is dropped as seen, never
    # stored again with the erased card's token; a late copy with other content is not flagged either.
    await conn.execute("UPDATE receipt_ids SET content_hash = NULL WHERE receipt_id IN (SELECT receipt_id FROM"
                       " receipts WHERE person_id = $1)", person_id)
    receipts = await changed(conn, "DELETE FROM receipts WHERE person_id = $1", person_id)
    partners = await changed(conn, "DELETE FROM partner_registrations WHERE person_id = $1", person_id)
    rights = await changed(conn, "DELETE FROM staff_discount_rights WHERE person_id = $1", person_id)
    return len(cards) + waiting + receipts + consents + partners + rights
