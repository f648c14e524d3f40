"""The cards of persons erased here (`erased_cards`, migration 015): the receipts that come for them after the
erasure are dropped, not left waiting for card data under the erased person's card token."""
from __future__ import annotations

from shared.db import Connection, changed

# The receipts waiting for a marked card, dropped; their ids stay claimed without the content hash, so a copy
# coming later still is recognised as seen. $1: of these tokens only (null: of every marked card).
DROP_WAITING = """
WITH dropped AS (
    DELETE FROM receipts r USING erased_cards e
    WHERE r.status <> 'accepted' AND r.identifier_token = e.card_token
      AND ($1::text[] IS NULL OR e.card_token = ANY($1::text[]))
    RETURNING r.receipt_id
),
forgotten AS (UPDATE receipt_ids SET content_hash = NULL WHERE receipt_id IN (SELECT receipt_id FROM dropped))
SELECT count(*) FROM dropped
"""


async def mark(conn: Connection, card_tokens: list[str]) -> int:
    """Mark the cards erased and drop the receipts already waiting for them; how many receipts."""
    await conn.execute("INSERT INTO erased_cards (card_token) SELECT unnest($1::text[]) ORDER BY 1"
                       " ON CONFLICT (card_token) DO UPDATE SET erased_at = now()", card_tokens)
    return await conn.fetchval(DROP_WAITING, card_tokens)


async def unmark(conn: Connection, card_tokens: list[str]) -> None:
    """A card the cards service states again is no longer an erased person's."""
    await conn.execute("DELETE FROM erased_cards WHERE card_token = ANY($1::text[])", card_tokens)


async def drop_waiting(conn: Connection) -> int:
    """Receipts stored for a marked card since it was marked (by a batch beside the mark); how many."""
    return await conn.fetchval(DROP_WAITING, None)


async def forget_marks(conn: Connection, horizon_days: int) -> int:
    """Marks older than the horizon; past it, a receipt waiting for card data is reported, not dropped."""
    return await changed(conn, "DELETE FROM erased_cards WHERE erased_at < now() - make_interval(days => $1)",
                         horizon_days)
