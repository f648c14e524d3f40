"""The append-only audit log, in a schema of its own: PostgreSQL refuses to change or delete an entry.

The log belongs to a role nobody logs in as (coopreg/provision.py creates it with AUDIT_DDL): the register
API's role may only insert an entry's own columns (the number and time are the database's) and read, so
it cannot disable the triggers below, drop them or the table, or rewrite an entry; and the triggers refuse
UPDATE, DELETE and TRUNCATE even to whoever is granted them by mistake.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.register_api.domain.access import valid_actor
from shared.db import Connection

AUDIT_SCHEMA = "audit"
WRITABLE_COLUMNS = ("actor", "roles", "action", "operation", "person_ids", "fields", "purpose")
AUDIT_DDL = """
-- Every read or change of personal data: who, which persons, which fields, for what purpose, when.
CREATE TABLE IF NOT EXISTS audit.audit_log (
    seq        bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor      text        NOT NULL,
    roles      text[]      NOT NULL,
    action     text        NOT NULL,
    operation  text        NOT NULL,
    person_ids text[]      NOT NULL,
    fields     text[]      NOT NULL,
    purpose    text        NOT NULL
);
-- An attempt the roles did not allow (403) is audited as 'refused': who tried what on whom.
ALTER TABLE audit.audit_log DROP CONSTRAINT IF EXISTS audit_log_action_check;
ALTER TABLE audit.audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('read', 'change', 'erasure', 'retention', 'refused'));
CREATE INDEX IF NOT EXISTS audit_log_persons ON audit.audit_log USING gin (person_ids);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit.audit_log (actor, at);
CREATE OR REPLACE FUNCTION audit.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit.audit_log
    FOR EACH ROW EXECUTE FUNCTION audit.audit_log_is_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.audit_log_is_append_only();
"""


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    roles: tuple[str, ...]
    action: str
    operation: str
    person_ids: tuple[str, ...]
    fields: tuple[str, ...]
    purpose: str


async def append(conn: Connection, entry: AuditEntry) -> None:
    if not valid_actor(entry.actor):  # the token's checks refuse such a name first; this is the last line
        raise ValueError("an audit entry's actor must be a plain name")
    await conn.execute(
        "INSERT INTO audit.audit_log (actor, roles, action, operation, person_ids, fields, purpose)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)", entry.actor, sorted(entry.roles), entry.action, entry.operation,
        sorted(entry.person_ids), sorted(entry.fields), entry.purpose)


async def entries(conn: Connection, *, person_id: str | None, actor: str | None,
                  since: datetime | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT seq, at, actor, roles, action, operation, person_ids, fields, purpose FROM audit.audit_log"
        " WHERE ($1::text IS NULL OR person_ids @> ARRAY[$1::text]) AND ($2::text IS NULL OR actor = $2)"
        " AND ($3::timestamptz IS NULL OR at >= $3) ORDER BY seq DESC LIMIT $4", person_id, actor, since, limit)
