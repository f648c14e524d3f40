"""PostgreSQL side of the receipts issued to customers: e-receipts and electronic warranty receipts (issued
by the statement that stores or resolves a receipt, `receipts.ISSUE_TO_CUSTOMER`), what a block takes of
them, their retention and the person's reads."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from services.purchases.adapters.receipts import household_card_tokens, lock_identifiers_for_card_changes
from shared.db import Connection, changed


async def _count(conn: Connection, *statements: tuple) -> int:
    total = 0
    for sql, *args in statements:
        total += await changed(conn, sql, *args)
    return total


# Each takes part of a row: a row with nothing else left goes first, the rest keep their other part.
async def honour_blocks(conn: Connection, persons: list[str], households: list[str]) -> int:
    """`persons` blocked warranty receipts: theirs go. `households` block product-level data in collection or
    customer-specific services: the lines of the receipts issued to them go, and their warranty receipts.
    Locked as a card change first, so a batch of their receipts being stored now under the old rule commits
    before this reads (`receipts.remove_line_detail`). Returns how many rows changed or went."""
    if not persons and not households:
        return 0
    tokens = await household_card_tokens(conn, households) + [r["card_token"] for r in await conn.fetch(
        "SELECT DISTINCT card_token FROM card_allocations WHERE person_id = ANY($1::text[])", persons)]
    await lock_identifiers_for_card_changes(conn, sorted(set(tokens)))
    return await _count(
        conn,
        ("DELETE FROM customer_receipts WHERE person_id = ANY($1::text[]) AND warranty_until IS NOT NULL"
         " AND NOT e_receipt", persons),
        ("UPDATE customer_receipts SET warranty_until = NULL WHERE person_id = ANY($1::text[])"
         " AND warranty_until IS NOT NULL", persons),
        ("DELETE FROM customer_receipts WHERE household_id = ANY($1::text[]) AND NOT e_receipt", households),
        ("UPDATE customer_receipts SET lines = '[]'::json, warranty_until = NULL WHERE household_id = ANY($1::text[])"
         " AND (lines::text <> '[]' OR warranty_until IS NOT NULL)", households))


async def e_receipts_before(conn: Connection, cutoff: datetime) -> int:
    """E-receipts of purchases before the cut-off end (a warranty receipt of the same purchase stays)."""
    return await _count(
        conn,
        ("DELETE FROM customer_receipts WHERE e_receipt AND purchased_at < $1 AND warranty_until IS NULL", cutoff),
        ("UPDATE customer_receipts SET e_receipt = false WHERE e_receipt AND purchased_at < $1", cutoff))


async def warranties_ended_before(conn: Connection, cutoff: datetime) -> int:
    """Warranty receipts whose warranty ended before the cut-off end (an e-receipt of the same purchase stays)."""
    return await _count(
        conn,
        ("DELETE FROM customer_receipts WHERE warranty_until < $1 AND NOT e_receipt", cutoff),
        ("UPDATE customer_receipts SET warranty_until = NULL WHERE warranty_until < $1", cutoff))


async def of_person(conn: Connection, person_id: str) -> int:
    return await changed(conn, "DELETE FROM customer_receipts WHERE person_id = $1", person_id)


COLUMNS = ("receipt_id, purchased_at, outlet_id, chain, total_cents, card_entry, payments::text AS payments, "
           "staff_discount_cents, lines::text AS lines, return_of, e_receipt, warranty_until, issued_at")


async def issued_to(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {COLUMNS} FROM customer_receipts WHERE person_id = $1"
                            " ORDER BY purchased_at, receipt_id", person_id)
