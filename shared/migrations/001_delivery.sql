-- The shared delivery tables, created in every service's schema.

-- Inbox: one row per (consumer, event id) handled; written in the same transaction as the effect,
-- so a redelivered event is recognised and acknowledged without a second effect.
CREATE TABLE inbox (
    consumer    text        NOT NULL,
    message_id  text        NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- Outbox: what the service publishes, written in the same transaction as the state change and
-- relayed to Kafka in order by an idempotent producer.
CREATE TABLE outbox (
    seq         bigserial   PRIMARY KEY,
    topic       text        NOT NULL,
    key         bytea,
    value       bytea,
    headers     jsonb       NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now()
);
