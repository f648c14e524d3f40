"""Read-only queries of a person's digital relationship, for the register API's views and extracts."""
from __future__ import annotations

import asyncpg

from shared.db import Connection


async def profiles_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT store, segment, source_time AS updated_at FROM web_store_profiles"
                            " WHERE person_id = $1 ORDER BY store", person_id)


async def addresses_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT store, address_id, value, valid_from, replaced_at FROM delivery_addresses"
                            " WHERE person_id = $1 ORDER BY store, address_id, valid_from", person_id)


async def orders_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT store, order_id, status, status_at, placed_at, delivery_method, total_cents,"
                            " ended_at FROM web_orders WHERE person_id = $1 ORDER BY placed_at, store, order_id",
                            person_id)


async def statuses_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT s.store, s.order_id, s.status, s.at FROM web_order_statuses s"
                            " JOIN web_orders o USING (store, order_id) WHERE o.person_id = $1 ORDER BY s.at, s.status",
                            person_id)


async def services_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT service, item, ordered_at, cancelled_at FROM digital_services WHERE person_id = $1"
                            " ORDER BY ordered_at, service, item", person_id)


async def contacts_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT contact_id, channel, reason, handler, contacted_at, notes_sealed,"
                            " notes_encrypted FROM contact_log"
                            " WHERE person_id = $1 ORDER BY contacted_at, contact_id", person_id)


async def carts_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT store, items, saved_at FROM saved_carts WHERE person_id = $1"
                            " AND items <> '[]'::jsonb ORDER BY store", person_id)


async def usage_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT service, company, company_kind, channel, identified_with, kind, used_at"
                            " FROM digital_usage WHERE person_id = $1 ORDER BY used_at, event_id", person_id)


async def entered_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT service, company, field, value_sealed, entered_at FROM entered_data"
                            " WHERE person_id = $1 AND value_sealed IS NOT NULL ORDER BY service, field", person_id)
