"""The register API in tests: the app on the real PostgreSQL (no background relay), tokens per role, and a
seeded person."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from fastapi.testclient import TestClient

from services.register_api.entrypoints.app import create_app
from services.register_api.entrypoints.auth import issue_token
from shared.crypto import FieldCipher
from shared.settings import Settings
from shared.subject_keys import HEADER, SubjectKeys, unseal
from tests.support.outbox_rows import header_texts

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@contextmanager
def api_client(settings: Settings):
    with TestClient(create_app(settings, background=False), raise_server_exceptions=False) as client:
        yield client


def bearer(settings: Settings, role: str, user: str | None = None, person_id: str | None = None,
           ttl: timedelta = timedelta(minutes=10), now: datetime | None = None) -> dict[str, str]:
    token = issue_token(settings.api, user or f"{role}-user", [role], person_id, ttl, now)
    return {"Authorization": f"Bearer {token}"}


def client_fixture():
    """A module-scoped `client` fixture: the app on the session's settings."""
    @pytest.fixture(scope="module", name="client")
    def client(settings):
        with api_client(settings) as client:
            yield client
    return client


def own_fixture():
    """A module-scoped `own` fixture: a pool on the API's own schema (its outbox and audit log)."""
    @pytest.fixture(scope="module", name="own")
    async def own(settings):
        pool = await own_pool(settings)
        yield pool
        await pool.close()
    return own


async def own_pool(settings: Settings):
    """A pool on the API's own schema, migrated."""
    from services.register_api.entrypoints.app import MIGRATIONS
    from shared.db import create_pool, migrate

    pool = await create_pool(settings.pg, "register_api", max_size=2)
    await migrate(pool, "register_api", MIGRATIONS)
    return pool


async def staged(own, settings: Settings, change_id: str) -> tuple[dict, dict]:
    """The command the API staged for a change (its outbox; no relay runs in the integration tests), opened
    with the person's key, and its headers with the sealed value."""
    rows = await own.fetch("SELECT key, value, headers::text AS headers FROM outbox ORDER BY seq DESC LIMIT 50")
    for row in rows:
        headers = header_texts(row["headers"])
        if headers.get("ce_id") == change_id:
            keys = SubjectKeys(FieldCipher(settings.secrets.encryption_key.get_secret_value()))
            subject = headers[HEADER]
            async with own.acquire() as conn:
                key = (await keys.keys_of(conn, [subject]))[subject]
            return orjson.loads(unseal(key, subject, row["value"])), {**headers, "key": bytes(row["key"]),
                                                                      "value": bytes(row["value"])}
    raise AssertionError("the change was not staged")


async def schema_text(pool, schema: str, *, in_flight: bool = True) -> str:
    """Every row of every table of a schema, as one text (for "is anything of this person left?").
    `in_flight` False leaves out the outbox, which a running relay empties within milliseconds (no relay
    runs in the integration tests)."""
    tables = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND ($2 OR tablename <> 'outbox')",
                              schema, in_flight)
    texts = [await pool.fetchval(f'SELECT coalesce(string_agg(t::text, \' \'), \'\')'
                                 f' FROM "{schema}"."{r["tablename"]}" t')
             for r in tables]
    return " ".join(texts)
