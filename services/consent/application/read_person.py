"""The consent service's read endpoint for the register API: a person's own blocks and marketing permissions
in force (every block and channel named, false when never stated), and the receipts they came from; the
marketing segments they are published in and the facts kept of them to decide that."""
from __future__ import annotations

import orjson

from services.consent.adapters import consents, person_reads
from services.consent.domain.consent import (
    BLOCKS,
    CHOICES,
    PERMISSION_CHANNELS,
    block_item,
    choice_item,
    permission_item,
)
from shared.db import Connection

SEGMENT_FIELDS = ("segment", "purpose", "channel", "pseudonym", "published_at")
RECEIPT_FIELDS = ("item", "value", "source", "collection_point", "actor", "source_time", "recorded_at",
                  "ended_at")


async def consents_part(conn: Connection, person_id: str) -> dict:
    items = (await consents.items(conn, [person_id]))[person_id]
    return {"blocks": {block: items.get(block_item(block), False) for block in BLOCKS},
            "permissions": {channel: items.get(permission_item(channel), False) for channel in PERMISSION_CHANNELS},
            "choices": {choice: items.get(choice_item(choice), False) for choice in CHOICES},
            "receipts": [{name: row[name] for name in RECEIPT_FIELDS}
                         for row in await consents.history(conn, person_id)]}


async def segments_part(conn: Connection, person_id: str) -> dict:
    """The marketing segments the person is published in (under each segment's own pseudonym, with the
    attributes sent), and the facts the service keeps of them to decide that."""
    rows = await person_reads.segment_memberships(conn, person_id)
    facts = await person_reads.facts(conn, person_id)
    return {"published_in": [{**{name: r[name] for name in SEGMENT_FIELDS}, "attributes": orjson.loads(r["entry"])}
                             for r in rows],
            "facts": dict(facts) if facts is not None else None}
