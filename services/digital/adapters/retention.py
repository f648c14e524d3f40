"""Erasure in the digital schema: one person's rows, and the rows past their retention."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection, changed

PERSON_TABLES = ("delivery_addresses", "web_store_profiles", "web_orders", "digital_services", "contact_log",
                 "saved_carts", "digital_usage", "entered_data", "customer_activity")


async def of_person(conn: Connection, person_id: str) -> dict[str, int]:
    """Delete every row of the person (an order's status history goes with it) and remember them as erased,
    so that nothing sent about them later is stored again; rows per table."""
    statuses = await conn.fetchval("SELECT count(*) FROM web_order_statuses s JOIN web_orders o"
                                   " USING (store, order_id) WHERE o.person_id = $1", person_id)
    rows = {table: await changed(conn, f"DELETE FROM {table} WHERE person_id = $1", person_id)
            for table in PERSON_TABLES}
    await conn.execute("INSERT INTO erased_persons (person_id) VALUES ($1) ON CONFLICT DO NOTHING", person_id)
    return {**rows, "web_order_statuses": int(statuses)}


async def addresses_replaced_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM delivery_addresses WHERE replaced_at < $1", cutoff)


async def orders_ended_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM web_orders WHERE ended_at < $1", cutoff)


async def services_cancelled_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM digital_services WHERE cancelled_at < $1", cutoff)


async def contacts_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM contact_log WHERE contacted_at < $1", cutoff)


async def carts_saved_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM saved_carts WHERE saved_at < $1", cutoff)


async def usage_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM digital_usage WHERE used_at < $1", cutoff)


async def entered_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM entered_data WHERE entered_at < $1", cutoff)


async def activity_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM customer_activity WHERE last_active_at < $1", cutoff)
