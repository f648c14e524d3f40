"""PostgreSQL: one asyncpg pool per service, bound to the service's own schema, and forward-only migrations.

Each service keeps its tables in a schema named after it; the shared delivery tables (inbox, outbox)
are created in every service schema by the same migration, so no service reads another's tables.
Migrations are ``NNN_name.sql`` files applied in order, once, under an advisory lock.
"""
from __future__ import annotations

from pathlib import Path

import asyncpg

from shared.settings import PostgresSettings

DELIVERY_MIGRATIONS = Path(__file__).parent / "migrations"


async def create_pool(pg: PostgresSettings, schema: str, **overrides) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        host=pg.host, port=pg.port, user=pg.user, password=pg.password.get_secret_value(),
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
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
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
