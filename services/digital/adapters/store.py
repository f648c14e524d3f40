"""PostgreSQL writes of the digital service: profiles and delivery addresses, orders, digital services, the
contact log, saved carts, identified usage, entered data, and the erased persons whose messages are dropped."""
from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from services.digital.domain.orders import OrderState
from shared.db import Connection


async def erased(conn: Connection, person_ids: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT person_id FROM erased_persons WHERE person_id = ANY($1::text[])", person_ids)
    return {r["person_id"] for r in rows}


async def count_ignored(conn: Connection, source: str, reason: str, count: int = 1) -> None:
    await conn.execute("""
        INSERT INTO ignored_updates (source, reason, count) VALUES ($1, $2, $3)
        ON CONFLICT (source, reason) DO UPDATE SET count = ignored_updates.count + excluded.count""",
                       source, reason, count)


async def profile_time(conn: Connection, person_id: str, store: str) -> datetime | None:
    """The source time of the profile applied, locked until the transaction ends."""
    return await conn.fetchval("SELECT source_time FROM web_store_profiles WHERE person_id = $1 AND store = $2"
                               " FOR UPDATE", person_id, store)


async def save_profile(conn: Connection, person_id: str, store: str, segment: str | None,
                       source_time: datetime) -> None:
    await conn.execute("""
        INSERT INTO web_store_profiles (person_id, store, segment, source_time) VALUES ($1, $2, $3, $4)
        ON CONFLICT (person_id, store) DO UPDATE SET segment = excluded.segment,
            source_time = excluded.source_time, updated_at = now()""", person_id, store, segment, source_time)


async def current_addresses(conn: Connection, person_id: str, store: str) -> dict[str, dict]:
    rows = await conn.fetch("SELECT address_id, value FROM delivery_addresses WHERE person_id = $1 AND store = $2"
                            " AND replaced_at IS NULL", person_id, store)
    return {r["address_id"]: orjson.loads(r["value"]) for r in rows}


async def replace_addresses(conn: Connection, person_id: str, store: str, address_ids: tuple[str, ...],
                            at: datetime) -> None:
    await conn.execute("UPDATE delivery_addresses SET replaced_at = $4 WHERE person_id = $1 AND store = $2"
                       " AND address_id = ANY($3::text[]) AND replaced_at IS NULL", person_id, store,
                       list(address_ids), at)


async def add_addresses(conn: Connection, person_id: str, store: str, values: dict[str, dict],
                        at: datetime) -> None:
    await conn.executemany(
        "INSERT INTO delivery_addresses (person_id, store, address_id, value, valid_from) VALUES ($1, $2, $3, $4, $5)",
        [(person_id, store, address_id, orjson.dumps(value).decode(), at) for address_id, value in values.items()])


async def order(conn: Connection, store: str, order_id: str) -> OrderState | None:
    row = await conn.fetchrow("SELECT store, order_id, person_id, status, status_at, placed_at, delivery_method,"
                              " total_cents, ended_at FROM web_orders WHERE store = $1 AND order_id = $2 FOR UPDATE",
                              store, order_id)
    return OrderState(**dict(row)) if row else None


async def save_order(conn: Connection, state: OrderState, status: str, status_at: datetime) -> bool:
    """Upsert the order and add the status to its history; False when that status was known already."""
    await conn.execute("""
        INSERT INTO web_orders (store, order_id, person_id, status, status_at, placed_at, delivery_method,
                                total_cents, ended_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (store, order_id) DO UPDATE SET status = excluded.status, status_at = excluded.status_at,
            placed_at = excluded.placed_at, delivery_method = excluded.delivery_method,
            total_cents = excluded.total_cents, ended_at = excluded.ended_at""",
                       state.store, state.order_id, state.person_id, state.status, state.status_at, state.placed_at,
                       state.delivery_method, state.total_cents, state.ended_at)
    added = await conn.execute("INSERT INTO web_order_statuses (store, order_id, status, at) VALUES ($1, $2, $3, $4)"
                               " ON CONFLICT DO NOTHING", state.store, state.order_id, status, status_at)
    return added.endswith(" 1")


async def order_service(conn: Connection, person_id: str, service: str, item: str, at: datetime) -> bool:
    """A new period of the service from `at`, unless one is going on; whether one was added."""
    added = await conn.execute("""
        INSERT INTO digital_services (person_id, service, item, ordered_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (person_id, service, item) WHERE cancelled_at IS NULL DO NOTHING""",
                               person_id, service, item, at)
    return added.endswith(" 1")


async def cancel_service(conn: Connection, person_id: str, service: str, item: str, at: datetime) -> bool:
    """End the period going on at `at`; whether there was one."""
    ended = await conn.execute("UPDATE digital_services SET cancelled_at = $4 WHERE person_id = $1 AND service = $2"
                               " AND item = $3 AND cancelled_at IS NULL AND ordered_at <= $4",
                               person_id, service, item, at)
    return ended.endswith(" 1")


async def add_contact(conn: Connection, contact_id: str, person_id: str, channel: str, reason: str,
                      handler: str, contacted_at: datetime, notes_sealed: bytes | None) -> bool:
    added = await conn.execute("""
        INSERT INTO contact_log (contact_id, person_id, channel, reason, handler, contacted_at, notes_sealed)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contact_id) DO NOTHING""",
                               contact_id, person_id, channel, reason, handler, contacted_at, notes_sealed)
    return added.endswith(" 1")


async def cart_time(conn: Connection, person_id: str, store: str) -> datetime | None:
    """When the saved cart applied was saved, locked until the transaction ends."""
    return await conn.fetchval("SELECT saved_at FROM saved_carts WHERE person_id = $1 AND store = $2 FOR UPDATE",
                               person_id, store)


async def save_cart(conn: Connection, person_id: str, store: str, items: list[dict],
                    saved_at: datetime) -> None:
    await conn.execute("""
        INSERT INTO saved_carts (person_id, store, items, saved_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (person_id, store) DO UPDATE SET items = excluded.items, saved_at = excluded.saved_at""",
                       person_id, store, orjson.dumps(items).decode(), saved_at)


async def add_usage(conn: Connection, event_id: str, person_id: str, service: str, company: str,
                    company_kind: str, channel: str, identified_with: str, kind: str, used_at: datetime) -> bool:
    added = await conn.execute("""
        INSERT INTO digital_usage (event_id, person_id, service, company, company_kind, channel, identified_with,
                                   kind, used_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING""",
                               event_id, person_id, service, company, company_kind, channel, identified_with, kind,
                               used_at)
    return added.endswith(" 1")


async def entered_time(conn: Connection, person_id: str, service: str, name: str) -> datetime | None:
    """When the field's value applied was entered, locked until the transaction ends."""
    return await conn.fetchval("SELECT entered_at FROM entered_data WHERE person_id = $1 AND service = $2"
                               " AND field = $3 FOR UPDATE", person_id, service, name)


async def save_entered(conn: Connection, person_id: str, service: str, name: str, company: str,
                       value_sealed: bytes | None, entered_at: datetime) -> None:
    await conn.execute("""
        INSERT INTO entered_data (person_id, service, field, company, value_sealed, entered_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (person_id, service, field) DO UPDATE SET company = excluded.company,
            value_sealed = excluded.value_sealed, entered_at = excluded.entered_at""",
                       person_id, service, name, company, value_sealed, entered_at)


async def legacy_notes(conn: Connection, after: str, limit: int) -> list[asyncpg.Record]:
    """The next contacts after `after` whose notes are still under the register-wide key (migration 004), locked
    for the transaction; one locked by another instance is left to it."""
    return await conn.fetch("SELECT contact_id, person_id, notes_encrypted FROM contact_log"
                            " WHERE notes_encrypted IS NOT NULL AND contact_id > $1 ORDER BY contact_id LIMIT $2"
                            " FOR UPDATE SKIP LOCKED", after, limit)


async def move_notes(conn: Connection, contact_id: str, notes_sealed: bytes | None) -> None:
    await conn.execute("UPDATE contact_log SET notes_sealed = $2, notes_encrypted = NULL WHERE contact_id = $1",
                       contact_id, notes_sealed)
