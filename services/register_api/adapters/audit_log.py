"""The append-only audit log: PostgreSQL refuses to change or delete an entry (see the migration)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.register_api.domain.access import valid_actor


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    roles: tuple[str, ...]
    action: str
    operation: str
    person_ids: tuple[str, ...]
    fields: tuple[str, ...]
    purpose: str


async def append(conn: asyncpg.Connection, entry: AuditEntry) -> None:
    if not valid_actor(entry.actor):  # the token's checks refuse such a name first; this is the last line
        raise ValueError("an audit entry's actor must be a plain name")
    await conn.execute(
        "INSERT INTO audit_log (actor, roles, action, operation, person_ids, fields, purpose)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)", entry.actor, sorted(entry.roles), entry.action, entry.operation,
        sorted(entry.person_ids), sorted(entry.fields), entry.purpose)


async def entries(conn: asyncpg.Connection, *, person_id: str | None, actor: str | None,
                  since: datetime | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT seq, at, actor, roles, action, operation, person_ids, fields, purpose FROM audit_log"
        " WHERE ($1::text IS NULL OR person_ids @> ARRAY[$1::text]) AND ($2::text IS NULL OR actor = $2)"
        " AND ($3::timestamptz IS NULL OR at >= $3) ORDER BY seq DESC LIMIT $4", person_id, actor, since, limit)
