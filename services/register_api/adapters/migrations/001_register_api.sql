-- The register API's own tables (schema "register_api"): the audit log, tracked extract requests,
-- retention runs and erasures. The outbox (shared delivery migration) carries the commands it publishes.

-- Every read or change of personal data: who, which persons, which fields, for what purpose, when.
-- Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE whoever asks.
CREATE TABLE audit_log (
    seq        bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor      text        NOT NULL,
    roles      text[]      NOT NULL,
    action     text        NOT NULL CHECK (action IN ('read', 'change', 'erasure', 'retention')),
    operation  text        NOT NULL,
    person_ids text[]      NOT NULL,
    fields     text[]      NOT NULL,
    purpose    text        NOT NULL
);
CREATE INDEX audit_log_persons ON audit_log USING gin (person_ids);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Access requests (register extracts), tracked against their deadline. The document is sealed under the
-- person's own key, so erasing the person makes it unreadable too.
CREATE TABLE extract_requests (
    request_id   text        PRIMARY KEY,
    person_id    text        NOT NULL,
    requested_by text        NOT NULL,
    requested_at timestamptz NOT NULL,
    deadline     timestamptz NOT NULL,
    status       text        NOT NULL CHECK (status IN ('requested', 'ready', 'failed')),
    completed_at timestamptz,
    document     bytea,
    sha256       text,
    sections     text[]
);
CREATE INDEX extract_requests_person ON extract_requests (person_id, requested_at);
CREATE INDEX extract_requests_open ON extract_requests (deadline) WHERE status <> 'ready';

-- What each retention run erased, by service and data group.
CREATE TABLE retention_runs (
    run_id       text        PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    requested_by text        NOT NULL,
    cutoffs      jsonb       NOT NULL,
    report       jsonb
);

-- Persons erased (their key destroyed, their data gone but the statutory member register).
CREATE TABLE erasures (
    person_id    text        PRIMARY KEY,
    erased_at    timestamptz NOT NULL,
    requested_by text        NOT NULL,
    reason       text        NOT NULL CHECK (reason IN ('retention', 'request')),
    report       jsonb       NOT NULL
);
