"""Least privilege in PostgreSQL: the roles, schemas and grants of one database, set up by the superuser.

    python -m coopreg.provision            # the database COOPREG_PG_DATABASE (compose, a Kubernetes Job)

`coopreg stack up` runs the same script on the local stack, and the tests on their own databases. It is
idempotent: run it on a new database or again on one that has data (an older one, made when every service
logged in as the operator's role, has its schemas and their objects handed over to their owners).

Who is who:
- one login role per service schema (`coopreg_cards`, ..., `coopreg_register_api`): owns that schema,
  runs its migrations, and has no right on any other service's schema;
- `coopreg_audit`, nobody logs in as it: owns the audit log (schema `audit`). The register API's role may
  only append entries (the entry's own columns; the sequence number and time are the database's) and
  read them: no UPDATE, DELETE, TRUNCATE, ALTER, trigger or DROP, the owner's rights all;
- `coopreg_subject_keys`, nobody logs in as it either: owns the per-person key store (schema
  `subject_keys`). Every service reads the keys to open sealed events and may add a person's key (to seal a
  dead letter about them; membership also to seal a benefit account for the payouts); only the register API
  destroys them;
- the operator's role (`COOPREG_PG_USER`, `coopreg`): owns the database and is a member of each service
  role, so tests and operators' tools can look across schemas and drop them; it may read the audit log and
  the keys but not change either, and no service logs in as it. It may not create roles (NOCREATEROLE),
  or it could make itself the audit log's owner.
Roles are the server's, shared by its databases; schemas and grants are each database's own.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterable

import asyncpg

from services.register_api.adapters.audit_log import AUDIT_DDL, AUDIT_SCHEMA, WRITABLE_COLUMNS
from shared.settings import PostgresSettings, Settings, StackSettings
from shared.subject_keys import KEY_STORE_DDL, KEY_STORE_SCHEMA

API_SCHEMA = "register_api"


def service_schemas() -> tuple[str, ...]:
    from services.registry import SERVICES

    return (*SERVICES, API_SCHEMA)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# A temporary function (gone with the session): a schema created for its owner, or an existing one and
# everything in it handed over to the owner, e.g. from the operator's role that owned it all before.
HAND_OVER = r"""
CREATE FUNCTION pg_temp.hand_over(target text, owner text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', target, owner);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', target, owner);
    -- Tables first: their serial sequences follow them (and refuse an owner of their own).
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
             WHERE c.relnamespace = target::regnamespace AND c.relowner <> owner::regrole
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', CASE r.relkind WHEN 'v' THEN 'VIEW'
            WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.rel, owner);
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
             WHERE c.relnamespace = target::regnamespace AND c.relowner <> owner::regrole AND c.relkind = 'S' LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.rel, owner);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
             WHERE p.pronamespace = target::regnamespace AND p.proowner <> owner::regrole LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, owner);
    END LOOP;
    FOR r IN SELECT t.oid::regtype AS typ FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
             WHERE t.typnamespace = target::regnamespace AND t.typowner <> owner::regrole
               AND t.typtype IN ('c', 'd', 'e', 'r') AND (t.typtype <> 'c' OR c.relkind = 'c') LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO %I', r.typ, owner);
    END LOOP;
END $fn$;
"""

# The audit log lived in the register API's own schema, where its owner (the API) could disable its
# triggers: its entries move, numbers and times kept, to the schema of a role nobody logs in as.
MOVE_OLD_AUDIT_LOG = r"""
DO $move$
BEGIN
    IF to_regclass('register_api.audit_log') IS NULL THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM register_api.audit_log) THEN
        IF EXISTS (SELECT 1 FROM audit.audit_log) THEN
            RAISE EXCEPTION 'both register_api.audit_log and audit.audit_log hold entries: merge them by hand';
        END IF;
        INSERT INTO audit.audit_log (seq, at, actor, roles, action, operation, person_ids, fields, purpose)
            SELECT seq, at, actor, roles, action, operation, person_ids, fields, purpose
            FROM register_api.audit_log ORDER BY seq;
        PERFORM setval(pg_get_serial_sequence('audit.audit_log', 'seq'), (SELECT max(seq) FROM audit.audit_log));
    END IF;
    DROP TABLE register_api.audit_log;
    DROP FUNCTION IF EXISTS register_api.audit_log_is_append_only();
END $move$;
"""


def provisioning_sql(pg: PostgresSettings, database: str, schemas: Iterable[str] | None = None) -> str:
    """The script, run by the superuser connected to `database`, in one transaction."""
    schemas = tuple(schemas or service_schemas())
    operator = _ident(pg.user)
    roles = {schema: _ident(pg.role(schema)) for schema in schemas}
    audit_owner, keys_owner = _ident(pg.role(AUDIT_SCHEMA)), _ident(pg.role(KEY_STORE_SCHEMA))
    all_roles = ", ".join([*roles.values(), operator])
    lines = ["BEGIN;",
             # Roles are the whole server's: provisioning runs of several databases (the tests') take turns.
             "LOCK TABLE pg_catalog.pg_authid IN SHARE ROW EXCLUSIVE MODE;"]

    def ensure_role(name: str, attributes: str) -> None:
        lines.append(f"DO $r$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_literal(name)}) THEN "
                     f"CREATE ROLE {_ident(name)}; END IF; END $r$;")
        lines.append(f"ALTER ROLE {_ident(name)} {attributes};")

    ensure_role(pg.user, f"LOGIN CREATEDB NOCREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS "
                         f"PASSWORD {_literal(pg.password.get_secret_value())}")
    for schema in schemas:
        ensure_role(pg.role(schema), f"LOGIN NOCREATEDB NOCREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS "
                                     f"PASSWORD {_literal(pg.role_password(schema))}")
        lines.append(f"GRANT {roles[schema]} TO {operator};")
    for owner in (pg.role(AUDIT_SCHEMA), pg.role(KEY_STORE_SCHEMA)):
        ensure_role(owner, "NOLOGIN NOCREATEDB NOCREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS")
    lines.append(f"ALTER DATABASE {_ident(database)} OWNER TO {operator};")
    lines.append(HAND_OVER)
    for schema in schemas:
        lines.append(f"SELECT pg_temp.hand_over({_literal(schema)}, {_literal(pg.role(schema))});")

    lines += [f"SELECT pg_temp.hand_over({_literal(KEY_STORE_SCHEMA)}, {_literal(pg.role(KEY_STORE_SCHEMA))});",
              f"SET LOCAL ROLE {keys_owner};", KEY_STORE_DDL, "RESET ROLE;",
              f"GRANT USAGE ON SCHEMA {KEY_STORE_SCHEMA} TO {all_roles};",
              # Every role may add a person's key, creating it when the person has none yet: a service sealing
              # a dead letter about them (shared/dead_letters.py), membership a benefit account for the payouts,
              # the API a command. Only the API destroys one (an UPDATE, at erasure); an erased person keeps a
              # row without a key, so an insert for them conflicts and nothing is sealed for them again.
              f"GRANT SELECT, INSERT (subject, wrapped_key) ON {KEY_STORE_SCHEMA}.keys TO {all_roles};"]

    lines += [f"SELECT pg_temp.hand_over({_literal(AUDIT_SCHEMA)}, {_literal(pg.role(AUDIT_SCHEMA))});",
              f"SET LOCAL ROLE {audit_owner};", AUDIT_DDL, "RESET ROLE;",
              f"GRANT USAGE ON SCHEMA {AUDIT_SCHEMA} TO {operator};",
              f"GRANT SELECT ON {AUDIT_SCHEMA}.audit_log TO {operator};"]
    if API_SCHEMA in roles:
        api = roles[API_SCHEMA]
        # the API destroys keys, and records one as destroyed for a person who never had one (erased_at)
        lines += [f"GRANT INSERT, UPDATE ON {KEY_STORE_SCHEMA}.keys TO {api};",
                  f"GRANT USAGE ON SCHEMA {AUDIT_SCHEMA} TO {api};",
                  f"GRANT SELECT, INSERT ({', '.join(WRITABLE_COLUMNS)}) ON {AUDIT_SCHEMA}.audit_log TO {api};",
                  f"GRANT USAGE ON SEQUENCE {AUDIT_SCHEMA}.audit_log_seq_seq TO {api};",
                  MOVE_OLD_AUDIT_LOG]
    lines.append("COMMIT;")
    return "\n".join(lines)


async def superuser_connection(settings: Settings, database: str) -> asyncpg.Connection:
    """The superuser: with a password over TCP (compose, a managed server's admin), else the local stack's
    own, which is refused over TCP and comes in through the stack's Unix socket only."""
    pg = settings.pg
    if pg.superuser_password is None:
        return await asyncpg.connect(host=str(settings.stack.dir / "postgres" / "run"), port=pg.port,
                                     user=pg.superuser, database=database)
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.superuser, database=database,
                                 password=pg.superuser_password.get_secret_value())


async def ensure_database(settings: Settings, database: str | None = None) -> None:
    """The database, owned by the operator's role, created if missing."""
    database = database or settings.pg.database
    conn = await superuser_connection(settings, "postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", settings.pg.user):
            await conn.execute(f"CREATE ROLE {_ident(settings.pg.user)} LOGIN CREATEDB")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f"CREATE DATABASE {_ident(database)} OWNER {_ident(settings.pg.user)}")
    finally:
        await conn.close()


async def provision(settings: Settings, database: str | None = None, schemas: Iterable[str] | None = None,
                    drop_first: Iterable[str] = ()) -> None:
    """Provision `database` (default: the settings'); `drop_first` schemas are dropped before (tests start
    empty: the audit log and key store only the superuser may drop)."""
    database = database or settings.pg.database
    conn = await superuser_connection(settings, database)
    try:
        for schema in drop_first:
            await conn.execute(f"DROP SCHEMA IF EXISTS {_ident(schema)} CASCADE")
        await conn.execute(provisioning_sql(settings.pg, database, schemas))
    finally:
        await conn.close()


def provisioning_settings() -> Settings:
    """The settings of the provisioning run: PostgreSQL's (and the local stack's socket) from the environment.

    Provisioning holds none of the services' keys (compose and the Kubernetes Job give it PostgreSQL's
    passwords only), so the refusal of development keys in production, which is about those keys, is not
    asked of it: the rest of the settings are left at their defaults, unvalidated and unused."""
    return Settings.model_construct(pg=PostgresSettings(), stack=StackSettings())


async def _main() -> None:
    settings = provisioning_settings()
    await ensure_database(settings)
    await provision(settings)
    print(f"provisioned {settings.pg.database}: roles per schema, audit log and key store")


if __name__ == "__main__":
    asyncio.run(_main())
