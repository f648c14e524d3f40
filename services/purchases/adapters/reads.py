"""Named reads of the purchases schema for the operator's tools (the chaos run, the benchmarks, the erasure
proof): they see the service's data through these, never its tables. Qualified by the schema, so that they
run on the operator's connection, which looks across schemas, as well as on the service's own."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shared.db import Connection, one_row


class StoringProgress(NamedTuple):
    stored: int  # receipts stored
    unresolved: int  # of them, not (yet) accepted
    outbox: int  # events staged, not yet relayed


async def storing_progress(conn: Connection) -> StoringProgress:
    row = await one_row(conn, "SELECT (SELECT count(*) FROM purchases.receipts) AS stored,"
                              " (SELECT count(*) FROM purchases.receipts WHERE status <> 'accepted') AS unresolved,"
                              " (SELECT count(*) FROM purchases.outbox) AS outbox")
    return StoringProgress(row["stored"], row["unresolved"], row["outbox"])


async def receipt_statuses(conn: Connection) -> dict[str, str]:
    """Receipt id → its status (accepted, unresolved, …)."""
    return {r["receipt_id"]: r["status"] for r in await conn.fetch("SELECT receipt_id, status FROM purchases.receipts")}


async def conflicting_receipts(conn: Connection) -> set[str]:
    return {r["receipt_id"] for r in await conn.fetch("SELECT receipt_id FROM purchases.receipt_conflicts")}


async def receipts_stored_like(conn: Connection, pattern: str) -> int:
    """Receipts whose id is LIKE `pattern` (a run's prefix, e.g. 'b-%')."""
    return await conn.fetchval("SELECT count(*) FROM purchases.receipts WHERE receipt_id LIKE $1", pattern)


async def storing_delays_ms(conn: Connection, pattern: str) -> list[float]:
    """Milliseconds from purchase to stored, of the receipts whose id is LIKE `pattern`."""
    return [float(r["ms"]) for r in await conn.fetch(
        "SELECT extract(epoch FROM stored_at - purchased_at) * 1000 AS ms FROM purchases.receipts"
        " WHERE receipt_id LIKE $1", pattern)]


async def cards_known(conn: Connection) -> int:
    """Cards in the card projection (the allocations of a card token)."""
    return await conn.fetchval("SELECT count(DISTINCT card_token) FROM purchases.card_allocations")


async def card_allocations_of(conn: Connection, person_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM purchases.card_allocations WHERE person_id = $1", person_id)


async def receipts_seen_since(conn: Connection, pattern: str, since: datetime) -> int:
    """Receipt ids LIKE `pattern` claimed for purchases made since `since` (a simulation run's receipts)."""
    return await conn.fetchval("SELECT count(*) FROM purchases.receipt_ids WHERE receipt_id LIKE $1"
                               " AND purchased_at >= $2", pattern, since)


async def receipts_stored_of(conn: Connection, receipt_ids: list[str]) -> int:
    """How many of these receipts are stored."""
    return await conn.fetchval("SELECT count(*) FROM purchases.receipts WHERE receipt_id = ANY($1)", receipt_ids)


async def stored_at_of(conn: Connection, receipt_ids: list[str]) -> dict[str, datetime]:
    """Receipt id → when it was stored, of these receipts that are."""
    return {r["receipt_id"]: r["stored_at"] for r in await conn.fetch(
        "SELECT receipt_id, stored_at FROM purchases.receipts WHERE receipt_id = ANY($1)", receipt_ids)}


async def cards_in_households(conn: Connection) -> int:
    """Card allocations in force that credit a household."""
    return await conn.fetchval("SELECT count(*) FROM purchases.card_allocations"
                               " WHERE valid_to IS NULL AND household_id IS NOT NULL")


async def unresolved_receipts(conn: Connection, limit: int) -> dict[str, str]:
    """Up to `limit` receipts not (yet) accepted: receipt id → status."""
    return {r["receipt_id"]: r["status"] for r in await conn.fetch(
        "SELECT receipt_id, status FROM purchases.receipts WHERE status <> 'accepted' ORDER BY receipt_id LIMIT $1",
        limit)}


async def partner_registrations_kept(conn: Connection) -> int:
    """Partner registration periods kept from the people's states (a partner purchase is credited under one)."""
    return await conn.fetchval("SELECT count(*) FROM purchases.partner_registrations")
