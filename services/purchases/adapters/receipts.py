"""PostgreSQL repository of receipts: staged with COPY, stored once by receipt id, resolved to the
household the identifier belonged to at purchase time, and the accepted ones published (through the
outbox) — all in one statement, so that a receipt costs the service no Python past its validation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import orjson

from contracts.events.purchases import PurchaseAccepted
from shared.db import Connection, changed
from shared.event_sql import Json, envelope_headers_sql, json_sql


class ReceiptRow(NamedTuple):
    """A receipt as it is staged (COPY takes it as it is: a named tuple costs what a tuple does on the
    ingest path), and as it is stored but for the last field."""

    receipt_id: str
    content_hash: bytes  # of the receipt as sent: the same id with other content is a conflict
    purchased_at: datetime
    outlet_id: str
    chain: str
    outlet_cooperative: str
    identifier_token: str  # the card's or member number's keyed token, never the number
    identifier_last4: str
    total_cents: int
    bonus_eligible_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_eligible_cents: int
    excluded: str  # JSON
    lines: str  # JSON
    return_of: str | None
    card_entry: str | None  # how the card was used (chip, contactless …); none for a partner purchase
    payments: str | None  # JSON: the receipt's payment methods with their amounts; none for a partner purchase
    staff_discount_cents: int | None  # checked against the person's right when the receipt resolves
    warranty_months: int | None  # how long its goods are under warranty (domain/warranty.py); none: no warranty
    correlation_id: str  # the correlation the receipt's accepted event keeps; not stored with it


STAGED_COLUMNS = ReceiptRow._fields
STAGING_COLUMNS = STAGED_COLUMNS[:-1]  # what is stored of a receipt

CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS receipt_staging (
    receipt_id text, content_hash bytea, purchased_at timestamptz, outlet_id text, chain text,
    outlet_cooperative text, identifier_token text, identifier_last4 text, total_cents bigint,
    bonus_eligible_cents bigint, fuel_cents bigint, fuel_millilitres bigint,
    payment_method_eligible_cents bigint, excluded json, lines json, return_of text, card_entry text,
    payments json, staff_discount_cents bigint, warranty_months integer, correlation_id text,
    seq integer  -- the receipt's place in its batch, given with it (a serial's nextval cost 2 µs a row)
) ON COMMIT DELETE ROWS
"""

# The `PurchaseAccepted` contract's JSON of an accepted row r (shared/event_sql.py). The stored exclusions
# (json) are the event's as they are.
ACCEPTED = json_sql(PurchaseAccepted, {
    **{name: f"r.{name}" for name in (
        "receipt_id", "household_id", "person_id", "cooperative_id", "outlet_id", "chain", "purchased_at",
        "total_cents", "bonus_eligible_cents", "fuel_cents", "fuel_millilitres", "payment_method_eligible_cents",
        "return_of")},
    "outlet_cooperative_id": "r.outlet_cooperative",
    "excluded": Json("r.excluded"),
})


def _publish_accepted(rows: str, correlation: str, order: str) -> str:
    """The accepted-purchase event of each accepted row of `rows`, in the outbox, in `order`: the value is
    ACCEPTED and the headers its CloudEvents envelope, with the correlation id `correlation`. $1 topic,
    $2 source, $3 type, $4 further headers (the trace context: names and values, text[])."""
    headers = envelope_headers_sql(
        further="$4::text[]", id="'accepted:' || r.receipt_id", source="$2::text", type="$3::text",
        time="to_json(clock_timestamp()) #>> '{}'", subject="r.receipt_id", cooperative="r.cooperative_id",
        correlationid=correlation)
    return f"""
INSERT INTO outbox (topic, key, value, headers)
SELECT $1::text, convert_to(r.household_id, 'UTF8'), convert_to({ACCEPTED}, 'UTF8'), {headers}
FROM {rows} r WHERE r.status = 'accepted'
ORDER BY {order}
RETURNING 1"""


# The household's product-data prohibitions (seed §4-5): collection forbidden keeps the receipt's figures
# only — no line, and of the exclusions only those of the receipt as a whole (a payment method, a partner),
# never one naming a line or its category (medicine, alcohol …); use forbidden keeps the lines flagged. One
# subquery, used when a receipt is stored resolved and when a waiting one is resolved later; a receipt of a
# household without the block pays nothing for it.
PRODUCT_DATA = """LEFT JOIN LATERAL (
    SELECT bool_or(collection_blocked) AS collection, bool_or(targeting_blocked) AS targeting,
           bool_or(services_blocked) AS services
    FROM product_data_consents p WHERE p.household_id = {household}) pd ON true"""
RECEIPT_LEVEL_EXCLUSIONS = """(SELECT coalesce(json_agg(e), '[]'::json) FROM json_array_elements({excluded}) e
                               WHERE e->>'line_no' IS NULL)"""
HAS_LINE_DETAIL = """({lines}::text <> '[]' OR EXISTS (SELECT 1 FROM json_array_elements({excluded}) e
                                                   WHERE e->>'line_no' IS NOT NULL))"""
LINES_KEPT = "CASE WHEN pd.collection THEN '[]'::json ELSE {lines} END"
EXCLUDED_KEPT = "CASE WHEN pd.collection THEN " + RECEIPT_LEVEL_EXCLUSIONS + " ELSE {excluded} END"
KEPT = {"lines": lambda alias: LINES_KEPT.format(lines=f"{alias}.lines"),
        "excluded": lambda alias: EXCLUDED_KEPT.format(excluded=f"{alias}.excluded")}

# A partner purchase (chain 'partner', the partner's id as its outlet) earns Bonus only if the person it
# resolved to was registered with that partner at purchase time (domain.md §1.5; a refund: at the time of
# the purchase it refunds, when stored, so it takes back what that one earned). An unregistered one is kept
# and published with nothing eligible and the reason, never dropped. Checked in the statement that resolves
# the receipt, for the whole batch at once; a receipt waiting for its identifier is checked when it resolves.
PARTNER_UNREGISTERED = """({row}.chain = 'partner' AND {person} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM (SELECT coalesce((SELECT i.purchased_at FROM receipt_ids i WHERE i.receipt_id = {row}.return_of),
                                   {row}.purchased_at) AS at) t
    JOIN partner_registrations g ON g.person_id = {person} AND g.partner_id = {row}.outlet_id
         AND g.valid_from <= t.at AND (g.valid_to IS NULL OR t.at < g.valid_to)))"""
NOT_REGISTERED = "partner_not_registered"


# A staff discount given to someone without the right to it (as the membership service last published the
# person's right from HR) is kept and flagged for staff to review (`coopreg purchases staff-discounts
# --flagged`); null: no discount, or not resolved to a person yet. CASE evaluates the subquery only for a
# receipt with a discount: the others pay nothing for the check.
STAFF_DISCOUNT_FLAGGED = """CASE WHEN {row}.staff_discount_cents IS NULL OR {person} IS NULL THEN NULL
     ELSE NOT EXISTS (SELECT 1 FROM staff_discount_rights d WHERE d.person_id = {person} AND d.has_right) END"""


# The receipt issued to its person as an e-receipt (they chose them) and as a warranty receipt (goods under
# warranty, the person has not blocked warranty receipts), in customer_receipts, by the statement that stores
# or resolves it: the person's choices are one primary-key lookup a receipt. The product-data blocks: under
# the household's block on collection the lines are gone already; under its block on their use in
# customer-specific services none is copied; either way no warranty receipt (without its goods it proves
# nothing). {rows}: the stored or resolved receipts.
ISSUE_TO_CUSTOMER = """
INSERT INTO customer_receipts (receipt_id, person_id, household_id, purchased_at, outlet_id, chain, total_cents,
                               card_entry, payments, staff_discount_cents, lines, return_of, e_receipt,
                               warranty_until)
SELECT r.receipt_id, r.person_id, r.household_id, r.purchased_at, r.outlet_id, r.chain, r.total_cents,
       r.card_entry, r.payments, r.staff_discount_cents,
       CASE WHEN r.product_data_services_blocked THEN '[]'::json ELSE r.lines END, r.return_of,
       coalesce(c.e_receipts, false), w.until
FROM {rows} r
LEFT JOIN product_data_consents c ON c.person_id = r.person_id
CROSS JOIN LATERAL (SELECT CASE WHEN r.warranty_months IS NOT NULL AND NOT coalesce(c.warranty_receipts_blocked, false)
                                     AND NOT r.product_data_services_blocked AND r.lines::text <> '[]'
                                THEN r.purchased_at + make_interval(months => r.warranty_months) END AS until) w
WHERE r.status = 'accepted' AND (coalesce(c.e_receipts, false) OR w.until IS NOT NULL)
ON CONFLICT (receipt_id) DO NOTHING
RETURNING 1"""


def _credited(column: str, row: str, person: str, kept: str) -> str:
    """What is stored of `column` once the receipt resolved to `person`: a partner's unregistered customer
    earns nothing, and the receipt says why."""
    unregistered = PARTNER_UNREGISTERED.format(row=row, person=person)
    if column == "bonus_eligible_cents":
        return f"CASE WHEN {unregistered} THEN 0 ELSE {kept} END"
    if column == "excluded":
        reason = (f"jsonb_build_array(jsonb_build_object('line_no', null, 'reason', '{NOT_REGISTERED}',"
                  f" 'cents', {row}.bonus_eligible_cents))")
        return f"CASE WHEN {unregistered} THEN (({kept})::jsonb || {reason})::json ELSE {kept} END"
    return kept


def _stored_column(column: str, row: str, person: str) -> str:
    return _credited(column, row, person, KEPT[column](row) if column in KEPT else f"{row}.{column}")

# Each receipt id is claimed once in `receipt_ids` (the first of a batch by arrival wins); the claimed
# ones are stored in their month, resolved to the allocation valid at purchase time, if any, and the
# accepted ones published. A duplicate, in the batch or already stored, is examined for conflicting
# content afterwards. $1-$4: see _publish_accepted.
STORE_AND_PUBLISH = f"""
WITH claimed AS (
    INSERT INTO receipt_ids (receipt_id, purchased_at, content_hash)
    SELECT receipt_id, purchased_at, content_hash FROM receipt_staging ORDER BY seq
    ON CONFLICT DO NOTHING
    RETURNING receipt_id
),
first_of_each AS (SELECT DISTINCT ON (receipt_id) * FROM receipt_staging ORDER BY receipt_id, seq),
stored AS (
    INSERT INTO receipts ({", ".join(STAGING_COLUMNS)}, status, person_id, household_id, cooperative_id,
                          product_data_targeting_blocked, product_data_services_blocked, staff_discount_flagged)
    SELECT {", ".join(_stored_column(c, "s", "a.person_id") for c in STAGING_COLUMNS)},
           CASE WHEN a.household_id IS NULL THEN 'unresolved' ELSE 'accepted' END,
           a.person_id, a.household_id, a.cooperative_id,
           coalesce(pd.targeting, false), coalesce(pd.services, false),
           {STAFF_DISCOUNT_FLAGGED.format(row="s", person="a.person_id")}
    FROM first_of_each s
    JOIN claimed USING (receipt_id)
    LEFT JOIN LATERAL (
        SELECT person_id, household_id, cooperative_id FROM card_allocations c
        WHERE c.card_token = s.identifier_token AND c.usable AND c.household_id IS NOT NULL
          AND c.valid_from <= s.purchased_at AND (c.valid_to IS NULL OR s.purchased_at < c.valid_to)
        ORDER BY c.valid_from DESC LIMIT 1) a ON true
    {PRODUCT_DATA.format(household="a.household_id")}
    RETURNING *
),
published AS ({_publish_accepted(
    rows="(SELECT stored.*, s.seq, s.correlation_id FROM stored JOIN first_of_each s USING (receipt_id))",
    correlation="r.correlation_id", order="r.seq")}),
issued AS ({ISSUE_TO_CUSTOMER.format(rows="stored")})
SELECT count(*) FROM stored
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


async def lock_identifiers_for_card_changes(conn: Connection, card_tokens: list[str]) -> None:
    await conn.execute(LOCK_FOR_CARD_CHANGES, card_tokens)


@dataclass(frozen=True)
class Stored:
    """What a batch of receipts came to: how many were new, and the ids of the conflicting duplicates."""

    stored: int
    conflicts: list[str]


async def store_and_publish(conn: Connection, rows: list[ReceiptRow], event: tuple) -> Stored:
    """`event`: the accepted events' topic, source, type and further headers.
    Returns how many were stored, and the ids of conflicting duplicates (same id, other content), flagged
    and never merged."""
    await conn.execute(CREATE_STAGING)
    await conn.copy_records_to_table("receipt_staging", records=[(*row, n) for n, row in enumerate(rows)],
                                     columns=[*STAGED_COLUMNS, "seq"])
    # Identifiers first, then a new month's partition: making one locks the receipts table until the
    # commit, and a card change holding an identifier's lock may be about to write to it. One round trip.
    await conn.execute(f"{LOCK_STAGED_FOR_RECEIPTS};{ENSURE_MONTHS}")
    stored = await conn.fetchval(STORE_AND_PUBLISH, *event)
    if stored == len(rows):
        return Stored(stored, [])  # only a duplicate can conflict: a batch of new receipts skips the check
    return Stored(stored, [r["receipt_id"] for r in await conn.fetch(RECORD_CONFLICTS)])


class Allocation(NamedTuple):
    """One period of a card's allocation history, as `card_allocations` keeps it (COPY takes it as it is)."""

    valid_from: datetime
    valid_to: datetime | None
    person_id: str
    household_id: str | None
    cooperative_id: str | None
    usable: bool


async def replace_allocations(conn: Connection, card_token: str, periods: list[Allocation]) -> None:
    await replace_many_allocations(conn, {card_token: periods})


async def replace_many_allocations(conn: Connection, histories: dict[str, list[Allocation]]) -> None:
    """Each card's whole allocation history replaces what was kept for it (the state is complete)."""
    await conn.execute("DELETE FROM card_allocations WHERE card_token = ANY($1::text[])", list(histories))
    await conn.copy_records_to_table(
        "card_allocations", columns=["card_token", "valid_from", "valid_to", "person_id", "household_id",
                                     "cooperative_id", "usable"],
        records=[(token, *period) for token, periods in histories.items() for period in periods])


# Receipts that waited for card data and can now be resolved (of the identifiers $5, or any when null),
# with their product-data rules, published; the correlation kept is the card state's ($6: by token).
RESOLVE_AND_PUBLISH = f"""
WITH resolved AS (
    UPDATE receipts r SET status = 'accepted', person_id = a.person_id, household_id = a.household_id,
           cooperative_id = a.cooperative_id, lines = {KEPT["lines"]("r")},
           excluded = {_stored_column("excluded", "r", "a.person_id")},
           bonus_eligible_cents = {_stored_column("bonus_eligible_cents", "r", "a.person_id")},
           product_data_targeting_blocked = coalesce(pd.targeting, false),
           product_data_services_blocked = coalesce(pd.services, false),
           staff_discount_flagged = {STAFF_DISCOUNT_FLAGGED.format(row="r", person="a.person_id")}
    FROM card_allocations a {PRODUCT_DATA.format(household="a.household_id")}
    WHERE r.status <> 'accepted' AND ($5::text[] IS NULL OR r.identifier_token = ANY($5::text[]))
      AND a.card_token = r.identifier_token AND a.usable AND a.household_id IS NOT NULL
      AND a.valid_from <= r.purchased_at AND (a.valid_to IS NULL OR r.purchased_at < a.valid_to)
    RETURNING r.*
),
published AS ({_publish_accepted(rows="resolved", correlation="$6::jsonb ->> r.identifier_token",
                                  order="r.purchased_at, r.receipt_id")}),
issued AS ({ISSUE_TO_CUSTOMER.format(rows="resolved")})
SELECT count(*) FROM published
"""


async def resolve_and_publish(conn: Connection, event: tuple, card_tokens: list[str] | None = None,
                              correlations: dict[str, str] | None = None) -> int:
    """Resolve the receipts waiting for these identifiers (None: any) and publish them; how many."""
    return await conn.fetchval(RESOLVE_AND_PUBLISH, *event, card_tokens, orjson.dumps(correlations or {}).decode())


async def expire_unresolved(conn: Connection, horizon_days: int) -> int:
    """Receipts still unresolved after the horizon: marked for the report; a late card still resolves them."""
    return await changed(conn, "UPDATE receipts SET status = 'unresolved_expired' WHERE status = 'unresolved'"
                               " AND stored_at < now() - make_interval(days => $1)", horizon_days)


# The line detail of the receipts already stored for households that just forbade its collection: every
# receipt resolved to the household, found through the people whose cards were allocated to it (receipts
# are indexed by person, not household, to keep the ingest light).
REMOVE_LINE_DETAIL = f"""
WITH members AS (SELECT DISTINCT person_id, household_id FROM card_allocations WHERE household_id = ANY($1::text[]))
UPDATE receipts r SET lines = '[]'::json, excluded = {RECEIPT_LEVEL_EXCLUSIONS.format(excluded="r.excluded")}
FROM members m
WHERE r.person_id = m.person_id AND r.household_id = m.household_id
  AND {HAS_LINE_DETAIL.format(lines="r.lines", excluded="r.excluded")}
"""


async def household_card_tokens(conn: Connection, households: list[str]) -> list[str]:
    return [r["card_token"] for r in await conn.fetch(
        "SELECT DISTINCT card_token FROM card_allocations WHERE household_id = ANY($1::text[])", households)]


async def remove_line_detail(conn: Connection, households: list[str]) -> int:
    """Remove the lines and line exclusions of the households' stored receipts; how many receipts changed.
    The households' identifiers are locked as for a card change first: a batch of their receipts being
    stored right now, under the old rule, commits before this reads, and the next one sees the block."""
    await lock_identifiers_for_card_changes(conn, await household_card_tokens(conn, households))
    return await changed(conn, REMOVE_LINE_DETAIL, households)
