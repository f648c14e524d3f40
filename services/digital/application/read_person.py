"""The digital service's part of a person for the register API: their web-store profiles and delivery
addresses (with history), orders with their status history, digital services, the contact log with its
notes opened, saved carts, identified usage of digital services, and what they entered in them, opened with
their own key."""
from __future__ import annotations

import asyncpg
import orjson

from services.digital.adapters import person_reads as reads
from services.digital.application.config import DigitalConfig
from shared.db import Connection


async def digital_part(conn: Connection, person_id: str, config: DigitalConfig) -> dict:
    addresses = [{"store": r["store"], "address_id": r["address_id"], **orjson.loads(r["value"]),
                  "valid_from": r["valid_from"], "replaced_at": r["replaced_at"]}
                 for r in await reads.addresses_of(conn, person_id)]
    statuses = await reads.statuses_of(conn, person_id)
    orders = [{**dict(o), "history": [{"status": s["status"], "at": s["at"]} for s in statuses
                                      if (s["store"], s["order_id"]) == (o["store"], o["order_id"])]}
              for o in await reads.orders_of(conn, person_id)]
    contacts = await _contacts(conn, person_id, config)
    return {"web_store": {"profiles": [dict(r) for r in await reads.profiles_of(conn, person_id)],
                          "delivery_addresses": addresses},
            "web_orders": orders,
            "digital_services": [dict(r) for r in await reads.services_of(conn, person_id)],
            "contact_log": contacts,
            "saved_carts": [{"store": r["store"], "items": orjson.loads(r["items"]), "saved_at": r["saved_at"]}
                            for r in await reads.carts_of(conn, person_id)],
            "digital_usage": [dict(r) for r in await reads.usage_of(conn, person_id)],
            "entered_data": await _entered(conn, person_id, config)}


async def _contacts(conn: Connection, person_id: str, config: DigitalConfig) -> list[dict]:
    rows = await reads.contacts_of(conn, person_id)
    key = (await config.keys(conn, person_id)).get(person_id) if any(r["notes_sealed"] for r in rows) else None
    return [{**{k: v for k, v in dict(r).items() if k not in ("notes_sealed", "notes_encrypted")},
             "notes": _notes(r, person_id, key, config)} for r in rows]


def _notes(row: asyncpg.Record, person_id: str, key: bytes | None, config: DigitalConfig) -> str | None:
    if row["notes_sealed"] is not None:
        # without a key (destroyed at an erasure whose rows this service has not deleted yet) none can be shown
        return config.open_notes(key, person_id, row["contact_id"], row["notes_sealed"]) if key else None
    if row["notes_encrypted"] is not None:  # not moved under the person's key yet (migration 004)
        return config.open_legacy_notes(person_id, row["contact_id"], row["notes_encrypted"])
    return None


async def _entered(conn: Connection, person_id: str, config: DigitalConfig) -> list[dict]:
    rows = await reads.entered_of(conn, person_id)
    key = (await config.keys(conn, person_id)).get(person_id) if rows else None
    # Without a key (destroyed at an erasure whose rows this service has not deleted yet) nothing can be shown.
    return [{"service": r["service"], "company": r["company"], "field": r["field"],
             "value": config.open_entered(key, person_id, r["service"], r["field"], r["value_sealed"]),
             "entered_at": r["entered_at"]} for r in rows if key is not None]
