-- Tokens revoked at logout (register API, issue 26), and refused attempts in the audit log.

-- A token's `jti` (or a digest of the whole token where it has none), refused until it expires.
CREATE TABLE revoked_tokens (
    token_id   text        PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- An attempt the roles did not allow (403) is audited as 'refused': who tried what on whom.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('read', 'change', 'erasure', 'retention', 'refused'));
