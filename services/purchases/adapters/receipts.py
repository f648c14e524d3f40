"""PostgreSQL repository of receipts: staged with COPY, stored once by receipt id, resolved to the
household the identifier belonged to at purchase time in the same statement."""
from __future__ import annotations

from dataclasses import dataclass
import asyncpg

STAGING_COLUMNS = (
    "receipt_id", "content_hash", "purchased_at", "outlet_id", "chain", "outlet_cooperative",
    "identifier_token", "identifier_last4", "total_cents", "bonus_eligible_cents", "fuel_cents",
    "fuel_millilitres", "payment_method_eligible_cents", "excluded", "lines", "return_of",
)
RETURNED = ("receipt_id, identifier_token, status, person_id, household_id, cooperative_id, purchased_at, "
            "outlet_id, outlet_cooperative, chain, total_cents, bonus_eligible_cents, fuel_cents, fuel_millilitres, payment_method_eligible_cents, "
            "excluded, return_of")

CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS receipt_staging (
    receipt_id text, content_hash bytea, purchased_at timestamptz, outlet_id text, chain text,
    outlet_cooperative text, identifier_token text, identifier_last4 text, total_cents bigint,
    bonus_eligible_cents bigint, fuel_cents bigint, fuel_millilitres bigint,
    payment_method_eligible_cents bigint, excluded jsonb, lines jsonb, return_of text, seq serial
) ON COMMIT DELETE ROWS
"""

# The household's product-data prohibitions (seed §4-5): collection forbidden keeps the receipt total
# only, use forbidden keeps the lines flagged. One subquery, used when a receipt is stored resolved and
# when a waiting one is resolved later.
PRODUCT_DATA = """LEFT JOIN LATERAL (
    SELECT bool_or(collection_blocked) AS collection, bool_or(targeting_blocked) AS targeting,
           bool_or(services_blocked) AS services
    FROM product_data_consents p WHERE p.household_id = {household}) pd ON true"""
LINES_KEPT = "CASE WHEN pd.collection THEN '[]'::jsonb ELSE {lines} END"

# Each receipt id is claimed once in `receipt_ids` (the first of a batch by arrival wins); the claimed
# ones are stored in their month, resolved to the allocation valid at purchase time, if any. A
# duplicate, in the batch or already stored, is examined for conflicting content afterwards.
INSERT_RESOLVED = f"""
WITH claimed AS (
    INSERT INTO receipt_ids (receipt_id, purchased_at, content_hash)
    SELECT receipt_id, purchased_at, content_hash FROM receipt_staging ORDER BY seq
    ON CONFLICT DO NOTHING
    RETURNING receipt_id
)
INSERT INTO receipts ({", ".join(STAGING_COLUMNS)}, status, person_id, household_id, cooperative_id,
                      product_data_targeting_blocked, product_data_services_blocked)
SELECT {", ".join(LINES_KEPT.format(lines="s.lines") if c == "lines" else "s." + c for c in STAGING_COLUMNS)},
       CASE WHEN a.household_id IS NULL THEN 'unresolved' ELSE 'accepted' END,
       a.person_id, a.household_id, a.cooperative_id,
       coalesce(pd.targeting, false), coalesce(pd.services, false)
FROM (SELECT DISTINCT ON (receipt_id) * FROM receipt_staging ORDER BY receipt_id, seq) s
JOIN claimed USING (receipt_id)
LEFT JOIN LATERAL (
    SELECT person_id, household_id, cooperative_id FROM card_allocations c
    WHERE c.card_token = s.identifier_token AND c.usable AND c.household_id IS NOT NULL
      AND c.valid_from <= s.purchased_at AND (c.valid_to IS NULL OR s.purchased_at < c.valid_to)
    ORDER BY c.valid_from DESC LIMIT 1) a ON true
{PRODUCT_DATA.format(household="a.household_id")}
ORDER BY s.seq
RETURNING {RETURNED}
"""

RECORD_CONFLICTS = """
INSERT INTO receipt_conflicts (receipt_id, content_hash)
SELECT s.receipt_id, s.content_hash FROM receipt_staging s
JOIN receipt_ids r USING (receipt_id)
WHERE r.content_hash <> s.content_hash
ON CONFLICT DO NOTHING
RETURNING receipt_id
"""

# Receipts live in month partitions, made when a month's first receipt arrives.
ENSURE_MONTHS = """
SELECT receipts_month_partition(month) FROM (
    SELECT DISTINCT (date_trunc('month', purchased_at AT TIME ZONE 'Europe/Helsinki'))::date AS month
    FROM receipt_staging) months
"""


# A receipt and a state of its card may be applied at the same moment by two consumers. Under READ
# COMMITTED neither transaction would see the other's uncommitted rows: the receipt would be stored
# unresolved and the card's resolution would miss it, forever. So they lock the identifier first —
# receipts shared (they never exclude each other), card changes exclusive — and whichever commits second
# sees the first. Identifiers share 256 buckets, so a batch holds at most 256 locks.
LOCK_IDENTIFIERS = """
SELECT {function}(hashtext('purchases:identifier'), bucket)
FROM (SELECT DISTINCT hashtext(token) & 255 AS bucket FROM {tokens} ORDER BY bucket) buckets
"""
LOCK_STAGED_FOR_RECEIPTS = LOCK_IDENTIFIERS.format(
    function="pg_advisory_xact_lock_shared", tokens="(SELECT identifier_token AS token FROM receipt_staging) t")
LOCK_FOR_CARD_CHANGES = LOCK_IDENTIFIERS.format(
    function="pg_advisory_xact_lock", tokens="unnest($1::text[]) AS t(token)")


async def lock_identifiers_for_card_changes(conn: asyncpg.Connection, card_tokens: list[str]) -> None:
    await conn.execute(LOCK_FOR_CARD_CHANGES, card_tokens)


@dataclass(frozen=True)
class StoreResult:
    stored: list[asyncpg.Record]
    duplicates: int
    conflicts: list[str]


async def store_receipts(conn: asyncpg.Connection, rows: list[tuple]) -> StoreResult:
    await conn.execute(CREATE_STAGING)
    await conn.copy_records_to_table("receipt_staging", records=rows, columns=list(STAGING_COLUMNS))
    await conn.execute(ENSURE_MONTHS)
    await conn.execute(LOCK_STAGED_FOR_RECEIPTS)
    stored = await conn.fetch(INSERT_RESOLVED)
    conflicts = [r["receipt_id"] for r in await conn.fetch(RECORD_CONFLICTS)]
    return StoreResult(stored, len(rows) - len(stored), conflicts)


async def replace_allocations(conn: asyncpg.Connection, card_token: str, periods: list[tuple]) -> None:
    await replace_many_allocations(conn, {card_token: periods})


async def replace_many_allocations(conn: asyncpg.Connection, histories: dict[str, list[tuple]]) -> None:
    """Each card's whole allocation history replaces what was kept for it (the state is complete)."""
    await conn.execute("DELETE FROM card_allocations WHERE card_token = ANY($1::text[])", list(histories))
    await conn.copy_records_to_table(
        "card_allocations", columns=["card_token", "valid_from", "valid_to", "person_id", "household_id",
                                     "cooperative_id", "usable"],
        records=[(token, *period) for token, periods in histories.items() for period in periods])


async def resolve_waiting(conn: asyncpg.Connection, card_tokens: list[str] | None = None) -> list[asyncpg.Record]:
    """Receipts that waited for card data and can now be resolved: of these identifiers, or (None) of any."""
    return await conn.fetch(f"""
        UPDATE receipts r SET status = 'accepted', person_id = a.person_id, household_id = a.household_id,
               cooperative_id = a.cooperative_id, lines = {LINES_KEPT.format(lines="r.lines")},
               product_data_targeting_blocked = coalesce(pd.targeting, false),
               product_data_services_blocked = coalesce(pd.services, false)
        FROM card_allocations a {PRODUCT_DATA.format(household="a.household_id")}
        WHERE r.status <> 'accepted' AND ($1::text[] IS NULL OR r.identifier_token = ANY($1::text[]))
          AND a.card_token = r.identifier_token AND a.usable AND a.household_id IS NOT NULL
          AND a.valid_from <= r.purchased_at AND (a.valid_to IS NULL OR r.purchased_at < a.valid_to)
        RETURNING {", ".join("r." + c.strip() for c in RETURNED.split(","))}""", card_tokens)


async def expire_unresolved(conn: asyncpg.Connection, horizon_days: int) -> int:
    """Receipts still unresolved after the horizon: marked for the report; a late card still resolves them."""
    result = await conn.execute(
        "UPDATE receipts SET status = 'unresolved_expired' WHERE status = 'unresolved'"
        " AND stored_at < now() - make_interval(days => $1)", horizon_days)
    return int(result.split()[-1])
