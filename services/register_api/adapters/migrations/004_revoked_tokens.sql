-- Tokens revoked at logout.

-- A token's `jti` (or a digest of the whole token where it has none), refused until it expires.
CREATE TABLE revoked_tokens (
    token_id   text        PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
