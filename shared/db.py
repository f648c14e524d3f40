"""PostgreSQL: one asyncpg pool per service, bound to the service's own schema, and forward-only migrations.

Each service keeps its tables in a schema named after it; the shared delivery tables (inbox, outbox)
are created in every service schema by the same migration, so no service reads another's tables.
A pool logs in as its schema's own role, which owns that schema only (coopreg/provision.py creates
both): PostgreSQL itself refuses a service another's tables, and the migrations run as the owner.
Migrations are ``NNN_name.sql`` files applied in order, once, under an advisory lock.
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.settings import PostgresSettings

DELIVERY_MIGRATIONS = Path(__file__).parent / "migrations"

# What a use case is handed: a connection of its own, or one lent by the pool (a proxy of the same API).
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy


async def one_row(conn: Connection, query: str, *args: object) -> asyncpg.Record:
    """The row of a query that always answers one: an aggregate, or a row the caller made or locked in
    this transaction. None there is a broken invariant, said at once rather than as a None subscripted
    further on."""
    row = await conn.fetchrow(query, *args)
    if row is None:
        raise LookupError(f"expected a row, got none: {' '.join(query.split())[:120]}")
    return row


async def changed(conn: Connection, statement: str, *args: object) -> int:
    """Run an INSERT, UPDATE or DELETE; how many rows it changed (from the command tag, e.g. "DELETE 3")."""
    return int((await conn.execute(statement, *args)).split()[-1])


async def create_pool(pg: PostgresSettings, schema: str, **overrides) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        host=pg.host, port=pg.port, user=pg.role(schema), password=pg.role_password(schema),
        database=pg.database, min_size=overrides.get("min_size", pg.pool_min),
        max_size=overrides.get("max_size", pg.pool_max),
        server_settings={"search_path": schema, "application_name": f"coopreg-{schema}",
                         "jit": "on" if pg.jit else "off"},
    )


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("[0-9][0-9][0-9]_*.sql"))


async def migrate(pool: asyncpg.Pool, schema: str, service_migrations: Path) -> list[str]:
    """Apply the delivery migrations and then the service's own; return the names newly applied."""
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"migrate:{schema}")
        try:
            # Provisioning creates the schema, owned by its role: a service's role may not create schemas
            # (PostgreSQL checks that right even for CREATE SCHEMA IF NOT EXISTS on one that exists).
            if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                raise RuntimeError(f"schema {schema!r} does not exist: provision the database first "
                                   "(`coopreg stack up` locally, `python -m coopreg.provision` elsewhere)")
            await conn.execute(f'SET search_path TO "{schema}"')
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for prefix, directory in (("delivery", DELIVERY_MIGRATIONS), (schema, service_migrations)):
                for path in _files(directory):
                    name = f"{prefix}/{path.name}"
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(path.read_text())
                        await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    applied.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"migrate:{schema}")
    return applied
