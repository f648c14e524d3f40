"""Least privilege in PostgreSQL, on the real server: each service's role is refused every other schema,
the register API's role may only append to and read the audit log, nobody may rewrite it, and the local
stack's superuser is refused over TCP (coopreg/provision.py, coopreg/stack/postgres.py)."""
from __future__ import annotations

from contextlib import asynccontextmanager
from itertools import permutations

import asyncpg
import pytest

from coopreg.provision import ensure_database, provision, service_schemas
from services.register_api.adapters import audit_log
from services.register_api.entrypoints.app import MIGRATIONS as API_MIGRATIONS
from shared.db import create_pool, migrate

SCHEMAS = service_schemas()
ENTRY = ("INSERT INTO audit.audit_log (actor, roles, action, operation, person_ids, fields, purpose)"
         " VALUES ('roles-test', '{}', 'read', 'roles_test', '{p-roles}', '{}', 'test')")


@pytest.fixture(scope="module", autouse=True)
async def migrated(settings, pools):
    """Every schema migrated by its own role: the services' (the `pools` fixture) and the API's."""
    api = await create_pool(settings.pg, "register_api", max_size=1)
    await migrate(api, "register_api", API_MIGRATIONS)
    await api.close()


@asynccontextmanager
async def logged_in_as(settings, schema: str | None = None, *, user: str | None = None, password: str | None = None,
                       database: str | None = None):
    """A session as `schema`'s role (as its service's pool logs in), or as `user`."""
    pg = settings.pg
    conn = await asyncpg.connect(host=pg.host, port=pg.port, database=database or pg.database,
                                 user=user or pg.role(schema),
                                 password=password if user else pg.role_password(schema))
    try:
        yield conn
    finally:
        await conn.close()


def operator(settings):
    return {"user": settings.pg.user, "password": settings.pg.password.get_secret_value()}


# -- one role per schema ------------------------------------------------------------------------------


async def test_a_pool_logs_in_as_its_schemas_own_role_which_owns_that_schema(settings):
    for schema in SCHEMAS:
        pool = await create_pool(settings.pg, schema, min_size=1, max_size=1)
        try:
            assert await pool.fetchval("SELECT current_user") == f"coopreg_{schema}"
            assert await pool.fetchval("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = $1",
                                       schema) == f"coopreg_{schema}"
            # its own tables, all of them its own: it ran the migrations
            owners = await pool.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1", schema)
            assert [r["tableowner"] for r in owners] == [f"coopreg_{schema}"], schema
            assert await pool.fetchval("SELECT count(*) >= 0 FROM schema_migrations")
        finally:
            await pool.close()


@pytest.mark.parametrize("own, other", list(permutations(SCHEMAS, 2)))
async def test_a_service_role_is_refused_every_other_services_schema(settings, own, other):
    async with logged_in_as(settings, own) as conn:
        for statement in (f"SELECT * FROM {other}.schema_migrations",
                          f"INSERT INTO {other}.schema_migrations (name) VALUES ('intruder')",
                          f"DELETE FROM {other}.schema_migrations",
                          f"CREATE TABLE {other}.intruder (x int)",
                          f"DROP SCHEMA {other} CASCADE"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    async with logged_in_as(settings, other) as conn:  # nothing came through
        assert not await conn.fetchval(f"SELECT count(*) FROM {other}.schema_migrations WHERE name = 'intruder'")


async def test_a_service_role_may_create_no_schema_nor_become_another_role(settings):
    async with logged_in_as(settings, "cards") as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE SCHEMA intruder")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f"SET ROLE {settings.pg.user}")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE ROLE intruder LOGIN")


# -- the audit log ------------------------------------------------------------------------------------


async def test_the_api_role_appends_to_and_reads_the_audit_log(settings):
    async with logged_in_as(settings, "register_api") as conn:
        await conn.execute(ENTRY)
        entries = await audit_log.entries(conn, person_id="p-roles", actor="roles-test", since=None, limit=10)
        assert entries and entries[0]["operation"] == "roles_test"


TAMPERING = ["UPDATE audit.audit_log SET actor = 'nobody'",
             "DELETE FROM audit.audit_log",
             "TRUNCATE audit.audit_log",
             "ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_no_change",
             "ALTER TABLE audit.audit_log DISABLE TRIGGER ALL",
             "DROP TRIGGER audit_log_no_change ON audit.audit_log",
             "DROP TABLE audit.audit_log",
             "ALTER TABLE audit.audit_log OWNER TO coopreg_register_api",
             "CREATE TRIGGER t BEFORE INSERT ON audit.audit_log FOR EACH ROW EXECUTE FUNCTION "
             "audit.audit_log_is_append_only()",
             "CREATE OR REPLACE FUNCTION audit.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql "
             "AS $$ BEGIN RETURN NEW; END $$",
             "DROP SCHEMA audit CASCADE",
             # An entry's number and time are the database's: no back-dated entry.
             "INSERT INTO audit.audit_log (seq, at, actor, roles, action, operation, person_ids, fields, purpose)"
             " VALUES (1, now() - interval '1 year', 'x', '{}', 'read', 'x', '{}', '{}', 'x')",
             "SELECT setval('audit.audit_log_seq_seq', 1)"]


@pytest.mark.parametrize("statement", TAMPERING)
async def test_the_api_role_is_refused_every_change_to_the_audit_log(settings, statement):
    async with logged_in_as(settings, "register_api") as conn:
        await conn.execute(ENTRY)
        before = await conn.fetchval("SELECT count(*) FROM audit.audit_log")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit.audit_log") == before
        assert await conn.fetchval("SELECT count(*) FROM audit.audit_log WHERE actor = 'nobody'") == 0


@pytest.mark.parametrize("statement", [s for s in TAMPERING if not s.startswith(("INSERT", "CREATE TRIGGER"))])
async def test_the_operators_role_reads_the_audit_log_but_cannot_change_it_either(settings, statement):
    async with logged_in_as(settings, **operator(settings)) as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit.audit_log") >= 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f"SET ROLE {settings.pg.role('audit')}")


async def test_nobody_logs_in_as_the_audit_logs_owner(settings):
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
        async with logged_in_as(settings, "audit"):
            pass
    async with logged_in_as(settings, **operator(settings)) as conn:
        assert await conn.fetchval("SELECT tableowner FROM pg_tables WHERE schemaname = 'audit'"
                                   " AND tablename = 'audit_log'") == "coopreg_audit"
        assert not await conn.fetchval("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'coopreg_audit'")


async def test_the_services_only_read_and_add_keys_and_the_api_destroys_them(settings):
    async with logged_in_as(settings, "cards") as conn:
        assert await conn.fetchval("SELECT count(*) FROM subject_keys.keys") >= 0
        # a dead letter about a person without a key yet is sealed under a key the service adds
        await conn.execute("INSERT INTO subject_keys.keys (subject, wrapped_key) VALUES ('p-roles-added', '\\x00')"
                           " ON CONFLICT DO NOTHING")
        assert await conn.fetchval("SELECT count(*) FROM subject_keys.keys WHERE subject = 'p-roles-added'") == 1
        for statement in ("INSERT INTO subject_keys.keys (subject, wrapped_key, erased_at) VALUES ('x', NULL, now())",
                          "UPDATE subject_keys.keys SET wrapped_key = NULL", "DELETE FROM subject_keys.keys"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    async with logged_in_as(settings, "membership") as conn, conn.transaction():
        # It seals benefit accounts for the payouts: it may make a person's key, never destroy one.
        await conn.execute("INSERT INTO subject_keys.keys (subject, wrapped_key) VALUES ('p-roles-member', '\\x00')"
                           " ON CONFLICT DO NOTHING")
        for statement in ("UPDATE subject_keys.keys SET wrapped_key = NULL", "DELETE FROM subject_keys.keys"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with conn.transaction():
                    await conn.execute(statement)
    async with logged_in_as(settings, "register_api") as conn, conn.transaction():
        await conn.execute("INSERT INTO subject_keys.keys (subject, wrapped_key) VALUES ('p-roles-key', '\\x00')"
                           " ON CONFLICT DO NOTHING")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DROP TABLE subject_keys.keys")


# -- an older database: everything owned by the operator's role, the audit log in the API's schema -----


async def test_provisioning_an_older_database_hands_its_schemas_over_and_moves_the_audit_log(settings):
    database = f"{settings.pg.database}_older"
    await ensure_database(settings, database)
    async with logged_in_as(settings, database=database, **operator(settings)) as conn:
        await conn.execute("DROP SCHEMA IF EXISTS register_api CASCADE")
        await conn.execute("DROP SCHEMA IF EXISTS cards CASCADE")
        await conn.execute("CREATE SCHEMA register_api; SET search_path TO register_api")
        await conn.execute((API_MIGRATIONS / "001_register_api.sql").read_text())
        for _ in range(3):
            await conn.execute(ENTRY.replace("audit.audit_log", "audit_log"))
        old = await conn.fetch("SELECT seq, at, actor FROM audit_log ORDER BY seq")
        await conn.execute("CREATE SCHEMA cards; CREATE TABLE cards.cards (id bigserial PRIMARY KEY)")
    try:
        await provision(settings, database)
        await provision(settings, database)  # again: nothing to do, nothing fails
        async with logged_in_as(settings, "register_api", database=database) as conn:
            moved = await conn.fetch("SELECT seq, at, actor FROM audit.audit_log ORDER BY seq")
            assert [tuple(r) for r in moved] == [tuple(r) for r in old]
            assert await conn.fetchval("SELECT to_regclass('register_api.audit_log')") is None
            await conn.execute(ENTRY)  # numbering goes on after the moved entries
            assert await conn.fetchval("SELECT max(seq) FROM audit.audit_log") == old[-1]["seq"] + 1
            assert await conn.fetchval("SELECT tableowner FROM pg_tables WHERE schemaname = 'register_api'"
                                       " AND tablename = 'extract_requests'") == "coopreg_register_api"
        async with logged_in_as(settings, "cards", database=database) as conn:
            await conn.execute("INSERT INTO cards.cards DEFAULT VALUES")  # its table and sequence now its own
            assert await conn.fetchval("SELECT tableowner FROM pg_tables WHERE schemaname = 'cards'") == "coopreg_cards"
    finally:
        async with logged_in_as(settings, database="postgres", **operator(settings)) as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# -- the local stack's superuser ------------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, "", "postgres"])
async def test_the_superuser_is_refused_over_tcp(settings, password):
    pg = settings.pg
    with pytest.raises((asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidPasswordError)):
        conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.superuser, database="postgres",
                                     password=password)
        await conn.close()
