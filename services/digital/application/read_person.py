"""The digital service's part of a person for the register API: their web-store profiles and delivery
addresses (with history), orders with their status history, digital services, and the contact log with its
notes opened."""
from __future__ import annotations

import orjson

from services.digital.adapters import person_reads as reads
from services.digital.application.config import DigitalConfig


async def digital_part(conn, person_id: str, config: DigitalConfig) -> dict:
    addresses = [{"store": r["store"], "address_id": r["address_id"], **orjson.loads(r["value"]),
                  "valid_from": r["valid_from"], "replaced_at": r["replaced_at"]}
                 for r in await reads.addresses_of(conn, person_id)]
    statuses = await reads.statuses_of(conn, person_id)
    orders = [{**dict(o), "history": [{"status": s["status"], "at": s["at"]} for s in statuses
                                      if (s["store"], s["order_id"]) == (o["store"], o["order_id"])]}
              for o in await reads.orders_of(conn, person_id)]
    contacts = [{**{k: v for k, v in dict(c).items() if k != "notes_encrypted"},
                 "notes": (config.decrypt_notes(person_id, c["contact_id"], c["notes_encrypted"])
                           if c["notes_encrypted"] is not None else None)}
                for c in await reads.contacts_of(conn, person_id)]
    return {"web_store": {"profiles": [dict(r) for r in await reads.profiles_of(conn, person_id)],
                          "delivery_addresses": addresses},
            "web_orders": orders,
            "digital_services": [dict(r) for r in await reads.services_of(conn, person_id)],
            "contact_log": contacts}
